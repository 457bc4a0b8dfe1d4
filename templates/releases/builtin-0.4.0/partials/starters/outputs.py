

def write_output(name: str, data: bytes) -> str:
    """Save `data` as `name` under AICHOR_OUTPUT_PATH; return where it went.

    On AIchor that is the experiment's s3:// output prefix (AWS_ENDPOINT_URL names the
    S3-compatible endpoint); locally it is ./outputs. Input data would be read the same
    way from AICHOR_INPUT_PATH (s3://<project>-inputs/); this starter makes up its own.
    """
    base = os.environ.get("AICHOR_OUTPUT_PATH") or "outputs"
    if base.startswith("s3://"):
        import boto3

        bucket, _, prefix = base.removeprefix("s3://").partition("/")
        key = f"{prefix.rstrip('/')}/{name}" if prefix.strip("/") else name
        client = boto3.client("s3", endpoint_url=os.environ.get("AWS_ENDPOINT_URL"))
        s3_upload(client, data, bucket, key)
        return f"s3://{bucket}/{key}"
    if "://" in base:
        # gs://, az://, ...: never a local folder named `gs:`, and a result that seems saved.
        raise SystemExit(
            f"error: AICHOR_OUTPUT_PATH={base}: this starter writes s3:// prefixes (and "
            "local folders) only; write this engine's storage with its own client here"
        )
    os.makedirs(base, exist_ok=True)
    path = os.path.join(base, name)
    with open(path, "wb") as f:
        f.write(data)
    return path


def s3_upload(client: object, data: bytes, bucket: str, key: str) -> None:
    """Upload `data` to s3://bucket/key (multipart past 8 MB: put_object stops at 5 GB).

    Session keys handed to a pod (STS) last about an hour and cannot be refreshed from
    inside it: an upload they no longer allow fails saying so, not with a bare trace.
    """
    import io

    try:
        client.upload_fileobj(io.BytesIO(data), bucket, key)
    except Exception as exc:
        if "ExpiredToken" in str(exc):
            raise SystemExit(
                f"error: cannot save s3://{bucket}/{key}: the S3 credentials of this pod "
                "expired (session keys last about an hour); save results as the run goes, "
                "or ask your AIchor administrator for refreshable credentials"
            ) from exc
        raise