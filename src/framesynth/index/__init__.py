"""Phase 3, index: manual coding, auto-coding suggestions and their review, agreement."""
