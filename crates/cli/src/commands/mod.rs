pub mod check;
pub mod preview;
pub mod render;
pub mod validate;
