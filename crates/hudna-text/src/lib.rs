//! hudna-text
