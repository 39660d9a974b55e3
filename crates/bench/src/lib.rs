//! Fixtures and reporting shared by the benches: corpora with placeholders injected, the render body
//! written for each template engine, and the ratio table printed after criterion has measured.

pub mod fixtures;
pub mod report;
