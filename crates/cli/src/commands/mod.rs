pub mod render;
pub mod validate;
