#!/usr/bin/env python3
"""Writes the frontend image as an OCI image layout in a tar file, without an engine.

    oci-layout.py write --out DEST.tar --ref 0.1.0 --created EPOCH \
        --label K=V ... --binary linux/amd64=PATH --binary linux/arm64=PATH
    oci-layout.py check DEST.tar          # prints one line per platform, checks every digest

Each platform's image is one gzip layer holding /bin/mstage (and /bin), run as 65532:65532
with /bin/mstage as entrypoint and the given labels. index.json names one image index
(`org.opencontainers.image.ref.name` = --ref), as `docker buildx build --output type=oci`
and `docker save` write it; that index lists the platforms. Everything is deterministic
(sorted JSON, fixed timestamps, uid/gid 0, gzip without a name or time), so the same
binaries give the same digests. Python's standard library only.
"""

import argparse
import gzip
import hashlib
import io
import json
import os
import sys
import tarfile
import time

MT_INDEX = "application/vnd.oci.image.index.v1+json"
MT_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MT_CONFIG = "application/vnd.oci.image.config.v1+json"
MT_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
# The environment BuildKit's Dockerfile frontend gives a `FROM scratch` image.
DEFAULT_PATH = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
USER = "65532:65532"
ENTRYPOINT = ["/bin/mstage"]


def canonical_json(value):
    return json.dumps(value, sort_keys=True, separators=(",", ":")).encode()


def sha256(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


class Blobs:
    """The content-addressed blobs of the layout, by digest."""

    def __init__(self):
        self.by_digest = {}

    def add(self, media_type, data, **extra):
        digest = sha256(data)
        self.by_digest[digest] = data
        return dict({"mediaType": media_type, "digest": digest, "size": len(data)}, **extra)


def tar_info(name, mtime, mode, kind=tarfile.REGTYPE, size=0):
    info = tarfile.TarInfo(name)
    info.type, info.mode, info.mtime, info.size = kind, mode, mtime, size
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def layer(binary, mtime):
    """The layer tar (uncompressed) with /bin and /bin/mstage."""
    with open(binary, "rb") as f:
        data = f.read()
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        tar.addfile(tar_info("bin", mtime, 0o755, tarfile.DIRTYPE))
        tar.addfile(tar_info("bin/mstage", mtime, 0o755, size=len(data)), io.BytesIO(data))
    return buf.getvalue()


def gzip_bytes(data):
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
        gz.write(data)
    return buf.getvalue()


def image(blobs, platform, binary, created, labels):
    """Adds one platform's layer, config and manifest; returns the manifest's descriptor."""
    os_name, arch = platform.split("/", 1)
    mtime = int(created)
    created_text = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(mtime))
    tar = layer(binary, mtime)
    layer_desc = blobs.add(MT_LAYER_GZIP, gzip_bytes(tar))
    config = {
        "architecture": arch,
        "os": os_name,
        "created": created_text,
        "config": {
            "Env": [DEFAULT_PATH],
            "Entrypoint": ENTRYPOINT,
            "User": USER,
            "Labels": labels,
        },
        "rootfs": {"type": "layers", "diff_ids": [sha256(tar)]},
        "history": [
            {"created": created_text, "created_by": "COPY mstage /bin/mstage # scripts/package-image.sh"}
        ],
    }
    config_desc = blobs.add(MT_CONFIG, canonical_json(config))
    manifest = {
        "schemaVersion": 2,
        "mediaType": MT_MANIFEST,
        "config": config_desc,
        "layers": [layer_desc],
    }
    return blobs.add(MT_MANIFEST, canonical_json(manifest), platform={"architecture": arch, "os": os_name})


def write_tar(path, files, mtime):
    with open(path, "wb") as out, tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for d in ["blobs", "blobs/sha256"]:
            tar.addfile(tar_info(d, mtime, 0o755, tarfile.DIRTYPE))
        for name, data in files:
            tar.addfile(tar_info(name, mtime, 0o644, size=len(data)), io.BytesIO(data))


def cmd_write(args):
    labels = dict(kv.split("=", 1) for kv in args.label)
    blobs = Blobs()
    manifests = []
    for spec in args.binary:
        platform, binary = spec.split("=", 1)
        manifests.append(image(blobs, platform, binary, args.created, labels))
    annotations = {k: v for k, v in labels.items() if k.startswith("org.opencontainers.image.")}
    index = {"schemaVersion": 2, "mediaType": MT_INDEX, "manifests": manifests, "annotations": annotations}
    top = blobs.add(MT_INDEX, canonical_json(index), annotations={"org.opencontainers.image.ref.name": args.ref})
    if args.name:
        top["annotations"]["io.containerd.image.name"] = args.name
    files = [("oci-layout", canonical_json({"imageLayoutVersion": "1.0.0"}))]
    files.append(("index.json", canonical_json({"schemaVersion": 2, "mediaType": MT_INDEX, "manifests": [top]})))
    files += [("blobs/sha256/" + d.split(":", 1)[1], data) for d, data in sorted(blobs.by_digest.items())]
    write_tar(args.out, files, int(args.created))
    print(top["digest"])


def read_layout(path):
    with tarfile.open(path) as tar:
        return {m.name.lstrip("./"): tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}


def blob(files, desc):
    data = files["blobs/sha256/" + desc["digest"].split(":", 1)[1]]
    if sha256(data) != desc["digest"] or len(data) != desc["size"]:
        raise SystemExit(f"oci-layout: blob {desc['digest']} does not match its descriptor")
    return data


def cmd_check(args):
    """Checks every digest and size, prints `PLATFORM SIZE CONFIG-DIGEST` per image, and
    with --extract DIR writes each image's /bin/mstage as DIR/OS-ARCH/mstage."""
    files = read_layout(args.layout)
    if json.loads(files["oci-layout"])["imageLayoutVersion"] != "1.0.0":
        raise SystemExit("oci-layout: unexpected imageLayoutVersion")
    (top,) = json.loads(files["index.json"])["manifests"]
    index = json.loads(blob(files, top))
    for desc in index["manifests"]:
        platform = f"{desc['platform']['os']}/{desc['platform']['architecture']}"
        manifest = json.loads(blob(files, desc))
        config = json.loads(blob(files, manifest["config"]))
        (layer_desc,) = manifest["layers"]
        tar = gzip.decompress(blob(files, layer_desc))
        if config["rootfs"]["diff_ids"] != [sha256(tar)]:
            raise SystemExit(f"oci-layout: {platform}: diff_id does not match the layer")
        if (config["os"], config["architecture"]) != (desc["platform"]["os"], desc["platform"]["architecture"]):
            raise SystemExit(f"oci-layout: {platform}: config says {config['os']}/{config['architecture']}")
        compressed = len(files["blobs/sha256/" + desc["digest"].split(":", 1)[1]])
        compressed += manifest["config"]["size"] + layer_desc["size"]
        with tarfile.open(fileobj=io.BytesIO(tar)) as layer_tar:
            names = sorted(m.name for m in layer_tar.getmembers())
            binary = layer_tar.extractfile("bin/mstage").read()
        if names != ["bin", "bin/mstage"]:
            raise SystemExit(f"oci-layout: {platform}: layer holds {names}")
        if args.extract:
            out = os.path.join(args.extract, platform.replace("/", "-"))
            os.makedirs(out, exist_ok=True)
            with open(os.path.join(out, "mstage"), "wb") as f:
                f.write(binary)
            os.chmod(os.path.join(out, "mstage"), 0o755)
        user, entry = config["config"].get("User"), config["config"].get("Entrypoint")
        print(
            f"{platform} layer={len(tar)} compressed={compressed} user={user} entrypoint={','.join(entry)}"
            f" config={manifest['config']['digest']}"
        )
    print(f"index {top['digest']} ref={top.get('annotations', {}).get('org.opencontainers.image.ref.name')}")
    print("labels " + canonical_json(config["config"]["Labels"]).decode())


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    w = sub.add_parser("write")
    w.add_argument("--out", required=True)
    w.add_argument("--ref", required=True, help="org.opencontainers.image.ref.name of the index")
    w.add_argument("--name", help="io.containerd.image.name (the image name docker load gives it)")
    w.add_argument("--created", required=True, help="seconds since the epoch (SOURCE_DATE_EPOCH)")
    w.add_argument("--label", action="append", default=[])
    w.add_argument("--binary", action="append", required=True, help="OS/ARCH=PATH")
    c = sub.add_parser("check")
    c.add_argument("layout")
    c.add_argument("--extract", help="write each image's /bin/mstage under this directory")
    args = parser.parse_args()
    {"write": cmd_write, "check": cmd_check}[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
