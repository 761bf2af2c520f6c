// On a narrow screen the filters wait behind a "Filter (n)" button, so that the results
// come first; without this script, or on a wide screen, they are simply shown.
"use strict";
{
    const button = document.querySelector(".filter-toggle");
    const panel = button && document.getElementById(button.getAttribute("aria-controls"));
    if (button && panel) {
        const narrow = window.matchMedia("(max-width: 59.99em)");
        const show = (open) => {
            panel.hidden = !open;
            button.setAttribute("aria-expanded", String(open));
        };
        const fit = () => {
            button.hidden = !narrow.matches;
            show(!narrow.matches);
        };
        button.addEventListener("click", () => show(panel.hidden));
        narrow.addEventListener("change", fit);
        fit();
    }
}
