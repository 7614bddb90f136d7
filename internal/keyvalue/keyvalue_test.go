package keyvalue

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	for _, c := range []struct {
		name, text string
		want       []string
		err        string
	}{
		{name: "settings", text: "# c\n\n Arch = amd64 \nlist = a b\nempty =\n", want: []string{"arch=amd64", "list=a b", "empty="}},
		{name: "value with =", text: "filter = a (= 1)\n", want: []string{"filter=a (= 1)"}},
		{name: "no =", text: "# x\narchitecture amd64\n", err: `2: want "key = value", got "architecture amd64"`},
		{name: "no key", text: " = amd64\n", err: `1: want "key = value"`},
		{name: "refused by set", text: "a = 1\nbad = 2\n", want: []string{"a=1"}, err: "2: no bad"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			err := Parse([]byte(c.text), func(k, v string) error {
				if k == "bad" {
					return errors.New("no bad")
				}
				got = append(got, k+"="+v)
				return nil
			})
			if c.err == "" && err != nil || c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)) {
				t.Fatalf("err = %v, want %q", err, c.err)
			}
			if le := (*LineError)(nil); err != nil && !errors.As(err, &le) {
				t.Errorf("err = %T, want *LineError", err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("settings = %q, want %q", got, c.want)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("# c\na = b\n"))
	f.Add([]byte(" = x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		err := Parse(data, func(k, v string) error {
			if k == "" || k != strings.TrimSpace(k) || v != strings.TrimSpace(v) {
				t.Fatalf("key %q value %q not trimmed", k, v)
			}
			return nil
		})
		if le := (*LineError)(nil); err != nil && errors.As(err, &le) && le.Line < 1 {
			t.Fatalf("line %d", le.Line)
		}
	})
}
