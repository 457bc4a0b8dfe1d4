


# Checkpoints: a run that is preempted, restarted or resubmitted resumes where it stopped.
# Kubernetes sends SIGTERM, then SIGKILL after the grace period (30 s by default; 15 s on
# GKE Spot nodes): the handler only raises a flag, and the training loop saves and exits.
_stop_requested = False


def _request_stop(signum: int, frame: object) -> None:
    global _stop_requested
    _stop_requested = True


def stop_on_sigterm() -> None:
    """From now on SIGTERM asks the training loop to save a checkpoint and exit."""
    signal.signal(signal.SIGTERM, _request_stop)


def stop_requested() -> bool:
    return _stop_requested


def checkpoint_every() -> int:
    """Steps between two checkpoints: AICHOR_CHECKPOINT_EVERY, default 10."""
    return max(1, env_int("AICHOR_CHECKPOINT_EVERY", 10))


def checkpoint_prefix() -> str:
    """Where checkpoints go: AICHOR_CHECKPOINT_PATH, else <AICHOR_OUTPUT_PATH>checkpoints/.

    AICHOR_OUTPUT_PATH belongs to one experiment, so by default a restarted pod resumes
    but a new experiment starts afresh. To resume across experiments, set a stable prefix
    in the manifest's spec.env, e.g. AICHOR_CHECKPOINT_PATH: s3://<outputs-bucket>/checkpoints/<run>/
    """
    explicit = os.environ.get("AICHOR_CHECKPOINT_PATH")
    if explicit:
        return explicit
    base = os.environ.get("AICHOR_OUTPUT_PATH") or "outputs"
    return f"{base.rstrip('/')}/checkpoints"


def _s3_location(name: str) -> tuple[object, str, str] | None:
    """(client, bucket, key) when checkpoints go to s3://, None for a local folder."""
    prefix = checkpoint_prefix()
    if not prefix.startswith("s3://"):
        if "://" in prefix:
            raise SystemExit(
                f"error: checkpoint prefix {prefix}: this starter writes s3:// prefixes "
                "(and local folders) only; set AICHOR_CHECKPOINT_PATH to one"
            )
        return None
    import boto3

    bucket, _, key_prefix = prefix.removeprefix("s3://").partition("/")
    key = f"{key_prefix.strip('/')}/{name}" if key_prefix.strip("/") else name
    client = boto3.client("s3", endpoint_url=os.environ.get("AWS_ENDPOINT_URL"))
    return client, bucket, key


def load_checkpoint(name: str) -> bytes | None:
    """The checkpoint `name` a previous run saved, or None when there is none."""
    s3 = _s3_location(name)
    if s3 is None:
        path = os.path.join(checkpoint_prefix(), name)
        if not os.path.exists(path):
            return None
        with open(path, "rb") as f:
            return f.read()
    client, bucket, key = s3
    try:
        return client.get_object(Bucket=bucket, Key=key)["Body"].read()
    except client.exceptions.NoSuchKey:
        return None


def save_checkpoint(name: str, data: bytes) -> str:
    """Save the checkpoint `name` whole or not at all (a kill mid-write keeps the last)."""
    s3 = _s3_location(name)
    if s3 is None:
        folder = checkpoint_prefix()
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, name)
        with open(f"{path}.partial", "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(f"{path}.partial", path)
        return path
    client, bucket, key = s3
    # An S3 object appears only once its upload completes.
    s3_upload(client, data, bucket, key)
    return f"s3://{bucket}/{key}"


def clear_checkpoint(name: str) -> None:
    """Forget the checkpoint once the run is complete: the next run starts afresh."""
    s3 = _s3_location(name)
    if s3 is None:
        path = os.path.join(checkpoint_prefix(), name)
        if os.path.exists(path):
            os.remove(path)
        return
    client, bucket, key = s3
    client.delete_object(Bucket=bucket, Key=key)