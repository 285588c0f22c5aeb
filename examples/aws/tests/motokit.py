"""moto's server for the tests, with the two things they need moto to do differently.

* KMS ``Sign`` with ``MessageType=DIGEST``: real KMS signs the 32-byte digest it is given (the
  caller hashed the message); moto 5.2.6 ignores ``MessageType`` and signs SHA-256 *of* the
  digest. :func:`install_moto_kms_digest_shim` patches moto's server-side ECDSA signing, for
  ``DIGEST`` requests only, to sign the digest as a pre-hashed value (cryptography's
  ``Prehashed``), which is what KMS does. Test-only: the production signer follows real KMS.
* One request at a time (``--serial``): moto's backends are not thread-safe, and a DynamoDB
  conditional update checks and writes in two steps. Real DynamoDB applies each conditional
  write atomically; the load test needs that, so its server handles one request at a time
  (clients still send from many threads).

    python motokit.py --port 5000 [--serial] [--kms-digest-shim]

prints ``ready http://127.0.0.1:<port>`` once it listens, then serves until killed.
"""

from __future__ import annotations

import argparse
import sys
import threading
from typing import Any, Callable


def install_moto_kms_digest_shim() -> Callable[[], None]:
    """Makes moto's server sign MessageType=DIGEST requests the way KMS does (the message is
    the digest: signed pre-hashed). Returns the undo."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
    from moto.kms import responses as kms_responses
    from moto.kms import utils as kms_utils

    local = threading.local()
    response_sign = kms_responses.KmsResponse.sign
    key_sign = kms_utils.ECDSAPrivateKey.sign
    algorithms = {"ECDSA_SHA_256": hashes.SHA256, "ECDSA_SHA_384": hashes.SHA384, "ECDSA_SHA_512": hashes.SHA512}

    def sign_request(self: Any) -> Any:
        local.digest = self._get_param("MessageType") == "DIGEST"
        try:
            return response_sign(self)
        finally:
            local.digest = False

    def sign_key(self: Any, message: bytes, signing_algorithm: str) -> bytes:
        if getattr(local, "digest", False):
            prehashed = Prehashed(algorithms[signing_algorithm]())
            return bytes(self.private_key.sign(message, ec.ECDSA(prehashed)))
        return bytes(key_sign(self, message, signing_algorithm))

    kms_responses.KmsResponse.sign = sign_request  # type: ignore[method-assign]
    kms_utils.ECDSAPrivateKey.sign = sign_key  # type: ignore[method-assign]

    def undo() -> None:
        kms_responses.KmsResponse.sign = response_sign  # type: ignore[method-assign]
        kms_utils.ECDSAPrivateKey.sign = key_sign  # type: ignore[method-assign]

    return undo


def serve(port: int, *, serial: bool, kms_digest_shim: bool, ready: Callable[[str], None]) -> None:
    from werkzeug.serving import WSGIRequestHandler, make_server

    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app

    if kms_digest_shim:
        install_moto_kms_digest_shim()
    app: Any = DomainDispatcherApplication(create_backend_app)
    if serial:
        lock, inner = threading.Lock(), app

        def app(environ: Any, start_response: Any) -> Any:
            with lock:
                return list(inner(environ, start_response))

    class Quiet(MotoRequestHandler):
        def log_request(self, *args: Any, **kwargs: Any) -> None:
            pass

    assert issubclass(Quiet, WSGIRequestHandler)
    server = make_server("127.0.0.1", port, app, threaded=True, request_handler=Quiet)
    ready(f"http://127.0.0.1:{server.server_address[1]}")
    server.serve_forever()


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--serial", action="store_true")
    p.add_argument("--kms-digest-shim", action="store_true")
    args = p.parse_args()
    serve(
        args.port,
        serial=args.serial,
        kms_digest_shim=args.kms_digest_shim,
        ready=lambda url: print(f"ready {url}", flush=True),
    )


if __name__ == "__main__":
    sys.exit(main())
