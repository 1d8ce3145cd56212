package ops

// HTTPEntry is the catalog entry of the raw http op (written next).
func HTTPEntry() *Entry { return &Entry{Name: "http", Help: "a raw HTTP request"} }
