from __future__ import annotations

from backend.domain.errors import DomainError, ErrorKind


class InvalidPhotoHash(DomainError):
    kind = ErrorKind.BAD_REQUEST
    code = "invalid_hash"


class HashMismatch(DomainError):
    kind = ErrorKind.BAD_REQUEST
    code = "hash_mismatch"


class PhotoTooLarge(DomainError):
    kind = ErrorKind.TOO_LARGE
    code = "payload_too_large"


class NotAnImage(DomainError):
    kind = ErrorKind.UNSUPPORTED_MEDIA
    code = "not_an_image"


class UndecodableImage(DomainError):
    kind = ErrorKind.INVALID
    code = "undecodable_image"


class TooManyPixels(DomainError):
    kind = ErrorKind.INVALID
    code = "too_many_pixels"
