package objstore

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
)

// Target is where a repository is published: a bucket and a key prefix
// ("" or ending in "/").
type Target struct {
	Bucket, Prefix string
}

// String returns the target as an s3:// URL.
func (t Target) String() string {
	return "s3://" + t.Bucket + "/" + t.Prefix
}

// ParseTarget reads s3://BUCKET[/PREFIX]. The prefix gets a trailing "/";
// one with "." or ".." segments, or empty segments, is refused.
func ParseTarget(s string) (Target, error) {
	rest, ok := strings.CutPrefix(s, "s3://")
	if !ok {
		return Target{}, fmt.Errorf("target %q: want s3://BUCKET/PREFIX", s)
	}
	bucket, prefix, _ := strings.Cut(rest, "/")
	if err := checkBucket(bucket); err != nil {
		return Target{}, fmt.Errorf("target %q: %w", s, err)
	}
	prefix = strings.TrimSuffix(prefix, "/")
	if prefix != "" {
		for _, seg := range strings.Split(prefix, "/") {
			if seg == "" || seg == "." || seg == ".." {
				return Target{}, fmt.Errorf("target %q: bad prefix segment %q", s, seg)
			}
		}
		prefix += "/"
	}
	return Target{Bucket: bucket, Prefix: prefix}, nil
}

// checkBucket refuses names S3 does not allow for buckets.
func checkBucket(b string) error {
	if len(b) < 3 || len(b) > 63 {
		return fmt.Errorf("bucket name %q: want 3 to 63 characters", b)
	}
	for i, c := range b {
		ok := c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || (c == '-' || c == '.') && i > 0 && i < len(b)-1
		if !ok {
			return fmt.Errorf("bucket name %q: only lower-case letters, digits, '-' and '.'", b)
		}
	}
	return nil
}

// Config says how to reach an S3-compatible service.
type Config struct {
	// Endpoint is the service's URL (http://host:port or https://host);
	// empty for AWS S3 itself.
	Endpoint string
	// Region of the bucket; us-east-1 when empty.
	Region string
	// AccessKey, SecretKey and SessionToken are the credentials; with no
	// AccessKey requests are anonymous.
	AccessKey, SecretKey, SessionToken string
	// PathStyle addresses buckets as ENDPOINT/BUCKET rather than
	// BUCKET.ENDPOINT, as self-hosted servers need.
	PathStyle bool
}

// ConfigFromEnv reads the usual AWS_* variables: AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN, AWS_REGION (or
// AWS_DEFAULT_REGION) and AWS_ENDPOINT_URL_S3 (or AWS_ENDPOINT_URL).
func ConfigFromEnv(getenv func(string) string) Config {
	if getenv == nil {
		getenv = os.Getenv
	}
	first := func(keys ...string) string {
		for _, k := range keys {
			if v := getenv(k); v != "" {
				return v
			}
		}
		return ""
	}
	return Config{
		Endpoint:     first("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"),
		Region:       first("AWS_REGION", "AWS_DEFAULT_REGION"),
		AccessKey:    getenv("AWS_ACCESS_KEY_ID"),
		SecretKey:    getenv("AWS_SECRET_ACCESS_KEY"),
		SessionToken: getenv("AWS_SESSION_TOKEN"),
	}
}

// endpointHost splits an endpoint URL into host[:port] and whether it is
// TLS.
func endpointHost(endpoint string) (string, bool, error) {
	if endpoint == "" {
		return "s3.amazonaws.com", true, nil
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return "", false, fmt.Errorf("endpoint %q: %w", endpoint, err)
	}
	if u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") || (u.Path != "" && u.Path != "/") {
		return "", false, errors.New("endpoint " + endpoint + ": want http://HOST[:PORT] or https://HOST[:PORT]")
	}
	return u.Host, u.Scheme == "https", nil
}
