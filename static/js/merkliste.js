// "Merken" without leaving the page: the form is sent in the background and the button,
// the header's count and a spoken notice change in place. Without this script the form
// is sent as usual and the page comes back with a notice.
"use strict";
{
    const count = document.querySelector("[data-merkliste-count]");
    const status = document.getElementById("site-messages");

    const announce = (text, ok) => {
        if (!status) return;
        const alert = document.createElement("div");
        alert.className = `kern-alert kern-alert--${ok ? "success" : "warning"}`;
        const header = document.createElement("div");
        header.className = "kern-alert__header";
        const title = document.createElement("span");
        title.className = "kern-title";
        title.textContent = text;
        header.append(title);
        alert.append(header);
        status.replaceChildren(alert);
    };

    // One change after the other: the list is kept in the session, which the last answer
    // would otherwise overwrite when several buttons are pressed in quick succession.
    let queue = Promise.resolve();

    const send = async (form) => {
        const button = form.querySelector("button");
        try {
            const response = await fetch(form.action, {
                method: "POST",
                body: new FormData(form),
                headers: { Accept: "application/json" },
                credentials: "same-origin",
            });
            const answer = await response.json();
            if (answer.label) {
                form.querySelector("input[name=aktion]").value = answer.saved ? "entfernen" : "merken";
                button.dataset.saved = String(answer.saved);
                button.querySelector(".kern-label").firstChild.textContent = answer.label;
            }
            if (count && typeof answer.count === "number") {
                count.textContent = answer.count ? ` (${answer.count})` : "";
            }
            announce(answer.message, response.ok);
        } catch (error) {
            form.submit();
        } finally {
            button.disabled = false;
        }
    };

    document.addEventListener("submit", (event) => {
        const form = event.target;
        if (!form.classList.contains("js-merken")) return;
        event.preventDefault();
        form.querySelector("button").disabled = true;
        queue = queue.then(() => send(form));
    });
}
