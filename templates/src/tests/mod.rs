//! Unit tests of the runtime that the generator does not copy into the SDK.

#[cfg(feature = "testing")]
mod mock;
mod request;
