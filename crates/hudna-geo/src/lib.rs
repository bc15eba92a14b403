//! hudna-geo
