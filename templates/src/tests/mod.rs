//! Unit tests of the runtime that the generator does not copy into the SDK.

mod mock;
mod request;
