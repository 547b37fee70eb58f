//! The one error type of the library and its stable kinds.

use std::fmt;

/// Result alias used across pixcodec.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in pixcodec. Messages say what happened and what to do.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No registered codec recognises the data, name, extension or MIME type.
    #[error("unknown format: {0}")]
    UnknownFormat(String),
    /// The data is valid but uses a feature this codec does not implement.
    #[error("unsupported: {0}")]
    Unsupported(String),
    /// The operation would change the pixel values (lossy codec, narrowing, clipping).
    #[error("not exact: {0}")]
    NotExact(String),
    /// The input could not be decoded (corrupt, truncated, malformed).
    #[error("decode error ({codec}): {message}")]
    Decode {
        /// Codec that failed.
        codec: String,
        /// What went wrong.
        message: String,
    },
    /// The encoder failed.
    #[error("encode error ({codec}): {message}")]
    Encode {
        /// Codec that failed.
        codec: String,
        /// What went wrong.
        message: String,
    },
    /// A configured limit (dimensions, pixels, bytes, pages) would be exceeded.
    #[error("limits exceeded: {0}")]
    Limits(String),
    /// An operating-system I/O error.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    /// A caller-supplied argument is invalid (bad stride, unknown option, …).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// A caller buffer is too small; `needed` bytes are required.
    #[error("buffer too small: {needed} bytes needed, {got} given")]
    BufferTooSmall {
        /// Bytes required.
        needed: usize,
        /// Bytes provided.
        got: usize,
    },
}

/// The stable category of an [`Error`] (used by the C ABI and for matching).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// See [`Error::UnknownFormat`].
    UnknownFormat,
    /// See [`Error::Unsupported`].
    Unsupported,
    /// See [`Error::NotExact`].
    NotExact,
    /// See [`Error::Decode`].
    Decode,
    /// See [`Error::Encode`].
    Encode,
    /// See [`Error::Limits`].
    Limits,
    /// See [`Error::Io`].
    Io,
    /// See [`Error::InvalidArgument`].
    InvalidArgument,
    /// See [`Error::BufferTooSmall`].
    BufferTooSmall,
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

impl Error {
    /// The category of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::UnknownFormat(_) => ErrorKind::UnknownFormat,
            Error::Unsupported(_) => ErrorKind::Unsupported,
            Error::NotExact(_) => ErrorKind::NotExact,
            Error::Decode { .. } => ErrorKind::Decode,
            Error::Encode { .. } => ErrorKind::Encode,
            Error::Limits(_) => ErrorKind::Limits,
            Error::Io(_) => ErrorKind::Io,
            Error::InvalidArgument(_) => ErrorKind::InvalidArgument,
            Error::BufferTooSmall { .. } => ErrorKind::BufferTooSmall,
        }
    }

    /// The message with its advice named for `surface`: the C functions in the C ABI, the
    /// command-line flags in the CLI (see [`crate::convert::Remedy`]).
    pub fn message_for(&self, surface: crate::convert::Surface) -> String {
        crate::convert::for_surface(&self.to_string(), surface)
    }

    /// Shorthand for a [`Error::Decode`] error.
    pub fn decode(codec: &str, message: impl fmt::Display) -> Self {
        Error::Decode {
            codec: codec.to_string(),
            message: message.to_string(),
        }
    }

    /// Shorthand for an [`Error::Encode`] error.
    pub fn encode(codec: &str, message: impl fmt::Display) -> Self {
        Error::Encode {
            codec: codec.to_string(),
            message: message.to_string(),
        }
    }

    /// Shorthand for an [`Error::InvalidArgument`] error.
    pub fn invalid(message: impl fmt::Display) -> Self {
        Error::InvalidArgument(message.to_string())
    }
}
