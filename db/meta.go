package db

import (
	"database/sql"
	"errors"
	"fmt"
)

// Meta returns the value stored under key in the meta table, or an error
// wrapping ErrNotFound.
func (s *store) Meta(key string) (string, error) {
	var v string
	err := s.queryRow(`SELECT value FROM meta WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("meta %s: %w", key, err)
	}
	return v, nil
}

// SetMeta stores value under key in the meta table, replacing any
// previous value.
func (s *store) SetMeta(key, value string) error {
	_, err := s.exec(`INSERT INTO meta (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	if err != nil {
		return fmt.Errorf("set meta %s: %w", key, err)
	}
	return nil
}

// DeleteMeta forgets the value stored under key; a missing key is not an
// error.
func (s *store) DeleteMeta(key string) error {
	if _, err := s.exec(`DELETE FROM meta WHERE key = ?`, key); err != nil {
		return fmt.Errorf("delete meta %s: %w", key, err)
	}
	return nil
}

// MetaWithPrefix returns the keys of the meta table that start with
// prefix, the prefix cut off, with their values.
func (s *store) MetaWithPrefix(prefix string) (map[string]string, error) {
	rows, err := s.query(`SELECT key, value FROM meta WHERE substr(key, 1, ?) = ?`, len(prefix), prefix)
	if err != nil {
		return nil, fmt.Errorf("meta %s*: %w", prefix, err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, fmt.Errorf("meta %s*: %w", prefix, err)
		}
		out[k[len(prefix):]] = v
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("meta %s*: %w", prefix, err)
	}
	return out, nil
}
