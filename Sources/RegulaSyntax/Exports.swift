// Re-exports the source layer: every client of the syntax needs spans and diagnostics.
@_exported import RegulaSource
