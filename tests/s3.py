"""A real S3 server on 127.0.0.1 (moto) for the tests of the shared upload storage, and the
production settings as a given environment makes them."""

import io
import os
import runpy
import urllib.request
from contextlib import contextmanager
from unittest import mock

import boto3
from moto.server import ThreadedMotoServer
from PIL import Image

BUCKET = "portal-uploads"
# moto accepts any keys; real ones must never be needed by a test.
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
REGION = "eu-central-1"


@contextmanager
def running_s3_server():
    """Yields the endpoint URL of a fresh S3 server on a free port, with BUCKET in it."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        # moto keeps its buckets per Python process, not per server: start from none.
        urllib.request.urlopen(
            urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"), timeout=10
        ).close()
        bucket_client(endpoint).create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
        )
        yield endpoint
    finally:
        server.stop()


def s3_environment(endpoint):
    """The variables an operator sets to keep uploads in the bucket."""
    return {
        "AWS_STORAGE_BUCKET_NAME": BUCKET,
        "AWS_S3_ENDPOINT_URL": endpoint,
        "AWS_S3_REGION_NAME": REGION,
        **CREDENTIALS,
    }


def bucket_client(endpoint):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )


def stored_objects(endpoint):
    """{key: content} of everything in the bucket."""
    client = bucket_client(endpoint)
    listing = client.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    return {
        item["Key"]: client.get_object(Bucket=BUCKET, Key=item["Key"])["Body"].read()
        for item in listing
    }


def prod_settings(environment):
    """The names portal.settings.prod defines when the process starts with `environment`
    (the AWS_* variables of the surrounding shell left out)."""
    clean = {name: value for name, value in os.environ.items() if not name.startswith("AWS_")}
    with mock.patch.dict(os.environ, {**clean, "SECRET_KEY": "test", **environment}, clear=True):
        return runpy.run_module("portal.settings.prod")


def png_bytes():
    """A real image, as an upload would carry it."""
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "green").save(buffer, format="PNG")
    return buffer.getvalue()
