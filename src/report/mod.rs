//! Renderers: views of the one [`Finding`](crate::finding::Finding) type. Each renderer is a
//! pure function from findings to text; the CLI decides where the text goes.

pub mod human;
pub mod json;
pub mod retests;
