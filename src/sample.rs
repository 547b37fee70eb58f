//! Sample types: the numeric type of one channel value.

use std::fmt;
use std::str::FromStr;

use crate::error::Error;

/// The numeric type of one channel value. In memory, samples are native-endian.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u8)]
pub enum SampleType {
    /// Unsigned 8-bit.
    U8,
    /// Unsigned 16-bit.
    U16,
    /// Unsigned 32-bit.
    U32,
    /// Unsigned 64-bit.
    U64,
    /// Signed 8-bit.
    I8,
    /// Signed 16-bit.
    I16,
    /// Signed 32-bit.
    I32,
    /// Signed 64-bit.
    I64,
    /// IEEE-754 single precision.
    F32,
    /// IEEE-754 double precision.
    F64,
    /// IEEE-754 half precision ([`f16`](crate::f16), from the `half` crate). Appended last, so
    /// the `repr(u8)` values of the other types are unchanged.
    F16,
}

impl SampleType {
    /// Every sample type, in declaration order.
    pub const ALL: [SampleType; 11] = [
        SampleType::U8,
        SampleType::U16,
        SampleType::U32,
        SampleType::U64,
        SampleType::I8,
        SampleType::I16,
        SampleType::I32,
        SampleType::I64,
        SampleType::F32,
        SampleType::F64,
        SampleType::F16,
    ];

    /// Size of one sample in bytes.
    pub const fn size(self) -> usize {
        match self {
            SampleType::U8 | SampleType::I8 => 1,
            SampleType::U16 | SampleType::I16 | SampleType::F16 => 2,
            SampleType::U32 | SampleType::I32 | SampleType::F32 => 4,
            SampleType::U64 | SampleType::I64 | SampleType::F64 => 8,
        }
    }

    /// Bits per sample.
    pub const fn bits(self) -> u32 {
        self.size() as u32 * 8
    }

    /// True for F16, F32 and F64.
    pub const fn is_float(self) -> bool {
        matches!(self, SampleType::F16 | SampleType::F32 | SampleType::F64)
    }

    /// True for the signed integer types.
    pub const fn is_signed_int(self) -> bool {
        matches!(
            self,
            SampleType::I8 | SampleType::I16 | SampleType::I32 | SampleType::I64
        )
    }

    /// Short upper-case name (`U8`, `F32`, …).
    pub const fn name(self) -> &'static str {
        match self {
            SampleType::U8 => "U8",
            SampleType::U16 => "U16",
            SampleType::U32 => "U32",
            SampleType::U64 => "U64",
            SampleType::I8 => "I8",
            SampleType::I16 => "I16",
            SampleType::I32 => "I32",
            SampleType::I64 => "I64",
            SampleType::F32 => "F32",
            SampleType::F64 => "F64",
            SampleType::F16 => "F16",
        }
    }

    /// Smallest and largest representable value as f64 (finite range for floats).
    pub fn range(self) -> (f64, f64) {
        match self {
            SampleType::U8 => (0.0, u8::MAX as f64),
            SampleType::U16 => (0.0, u16::MAX as f64),
            SampleType::U32 => (0.0, u32::MAX as f64),
            SampleType::U64 => (0.0, u64::MAX as f64),
            SampleType::I8 => (i8::MIN as f64, i8::MAX as f64),
            SampleType::I16 => (i16::MIN as f64, i16::MAX as f64),
            SampleType::I32 => (i32::MIN as f64, i32::MAX as f64),
            SampleType::I64 => (i64::MIN as f64, i64::MAX as f64),
            SampleType::F32 => (f32::MIN as f64, f32::MAX as f64),
            SampleType::F64 => (f64::MIN, f64::MAX),
            SampleType::F16 => (half::f16::MIN.to_f64(), half::f16::MAX.to_f64()),
        }
    }
}

impl fmt::Display for SampleType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for SampleType {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        SampleType::ALL
            .into_iter()
            .find(|t| t.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                Error::invalid(format!(
                    "unknown sample type '{s}'; expected one of U8 U16 U32 U64 I8 I16 I32 I64 F16 F32 F64"
                ))
            })
    }
}

mod sealed {
    pub trait Sealed {}
}

/// A Rust type that stores one sample. Implemented for the ten primitive numeric types and
/// [`f16`](crate::f16).
pub trait Sample: bytemuck::Pod + PartialEq + PartialOrd + fmt::Debug + Send + Sync + sealed::Sealed + 'static {
    /// The matching [`SampleType`].
    const TYPE: SampleType;
    /// The value as f64 (exact for all types except 64-bit integers above 2^53).
    fn to_f64(self) -> f64;
}

macro_rules! impl_sample {
    ($($t:ty => $v:ident),*) => {$(
        impl sealed::Sealed for $t {}
        impl Sample for $t {
            const TYPE: SampleType = SampleType::$v;
            #[inline]
            fn to_f64(self) -> f64 { self as f64 }
        }
    )*};
}
impl_sample!(u8 => U8, u16 => U16, u32 => U32, u64 => U64, i8 => I8, i16 => I16, i32 => I32, i64 => I64, f32 => F32, f64 => F64);

impl sealed::Sealed for half::f16 {}
impl Sample for half::f16 {
    const TYPE: SampleType = SampleType::F16;
    #[inline]
    fn to_f64(self) -> f64 {
        half::f16::to_f64(self)
    }
}

/// Runs `$body` with the type alias `$T` bound to the Rust type of the [`SampleType`] `$st`:
/// one `match` over every sample type, so code generic over the sample type (conversions,
/// bindings) is written once and gains new sample types in one place.
///
/// ```
/// use pixcodec::{with_sample_type, SampleType};
/// let bytes = with_sample_type!(SampleType::U16, T => std::mem::size_of::<T>());
/// assert_eq!(bytes, 2);
/// ```
#[macro_export]
macro_rules! with_sample_type {
    ($st:expr, $T:ident => $body:expr) => {
        match $st {
            $crate::SampleType::U8 => {
                type $T = u8;
                $body
            }
            $crate::SampleType::U16 => {
                type $T = u16;
                $body
            }
            $crate::SampleType::U32 => {
                type $T = u32;
                $body
            }
            $crate::SampleType::U64 => {
                type $T = u64;
                $body
            }
            $crate::SampleType::I8 => {
                type $T = i8;
                $body
            }
            $crate::SampleType::I16 => {
                type $T = i16;
                $body
            }
            $crate::SampleType::I32 => {
                type $T = i32;
                $body
            }
            $crate::SampleType::I64 => {
                type $T = i64;
                $body
            }
            $crate::SampleType::F32 => {
                type $T = f32;
                $body
            }
            $crate::SampleType::F64 => {
                type $T = f64;
                $body
            }
            $crate::SampleType::F16 => {
                type $T = $crate::f16;
                $body
            }
        }
    };
}
