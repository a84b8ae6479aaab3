"""Photo bytes: tus uploads, validation and cleaning with Pillow, content-addressed storage, scoped serving."""
