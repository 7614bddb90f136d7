package objstore

// SetPageSize makes s list at most n objects a request.
func SetPageSize(s *S3, n int) { s.pageSize = n }

// EscapePath is escapePath, for the table test.
var EscapePath = escapePath
