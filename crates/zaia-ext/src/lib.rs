//! Handwritten extensions for the Zaia SDK.
