"""The one error the sim's handlers raise: an Alpaca-shaped refusal with status, code and message.

The HTTP layer turns it into ``{"code": ..., "message": ...}`` with its status, as
Alpaca does; market-data refusals carry only a message, as Alpaca's often do.
"""

from __future__ import annotations

# Alpaca's error codes are the HTTP status followed by a five-digit detail.
CODE_BAD_REQUEST = 40010001
CODE_UNAUTHORIZED = 40110000
CODE_FORBIDDEN = 40310000
CODE_NOT_FOUND = 40410000
CODE_UNPROCESSABLE = 42210000
CODE_RATE_LIMITED = 42910000


class ApiError(Exception):
    """A refusal the sim answers with instead of a result."""

    def __init__(self, status: int, message: str, code: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code

    def body(self) -> dict[str, object]:
        if self.code is None:
            return {"message": self.message}
        return {"code": self.code, "message": self.message}


def not_found(message: str) -> ApiError:
    return ApiError(404, message, CODE_NOT_FOUND)


def unprocessable(message: str, code: int = CODE_UNPROCESSABLE) -> ApiError:
    return ApiError(422, message, code)


def forbidden(message: str) -> ApiError:
    return ApiError(403, message, CODE_FORBIDDEN)


def bad_request(message: str) -> ApiError:
    return ApiError(400, message, CODE_BAD_REQUEST)
