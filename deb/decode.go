package deb

import (
	"encoding"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
)

// Unmarshal decodes paragraph p into the struct that v points to, the way
// encoding/json decodes objects: each exported field tagged
// `control:"Name"` takes the value of the paragraph field Name (compared
// without regard to case). Untagged fields are ignored. A tag option
// ",required" makes an absent or empty field an error.
//
// Supported field types: string; signed and unsigned integers; bool
// ("yes" or "no"); []string (whitespace-separated words); and any type
// implementing encoding.TextUnmarshaler (such as Version and Relations).
// A field that is absent leaves the struct field unchanged. Errors name
// the field and the paragraph's line.
func Unmarshal(p *Paragraph, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("unmarshal: want a pointer to a struct, got %T", v)
	}
	rv = rv.Elem()
	for _, f := range fieldsOf(rv.Type()) {
		val, ok := p.Lookup(f.name)
		if !ok || val == "" {
			if f.required {
				return fmt.Errorf("paragraph at line %d: missing required field %s", p.Line, f.name)
			}
			if !ok {
				continue
			}
		}
		if err := setValue(rv.Field(f.index), val); err != nil {
			return fmt.Errorf("paragraph at line %d: field %s: %w", p.Line, f.name, err)
		}
	}
	return nil
}

// Marshal encodes the tagged fields of the struct v (or pointer to one) as
// a paragraph in the order they are declared. Empty values (zero numbers
// and bools, empty strings and slices) are left out unless required.
func Marshal(v any) (*Paragraph, error) {
	rv := reflect.Indirect(reflect.ValueOf(v))
	if rv.Kind() != reflect.Struct {
		return nil, fmt.Errorf("marshal: want a struct, got %T", v)
	}
	p := &Paragraph{}
	for _, f := range fieldsOf(rv.Type()) {
		s, err := formatValue(rv.Field(f.index))
		if err != nil {
			return nil, fmt.Errorf("marshal field %s: %w", f.name, err)
		}
		if s != "" || f.required {
			p.Fields = append(p.Fields, Field{Name: f.name, Value: s})
		}
	}
	return p, nil
}

type structField struct {
	name     string
	index    int
	required bool
}

var fieldCache sync.Map // reflect.Type → []structField

func fieldsOf(t reflect.Type) []structField {
	if fs, ok := fieldCache.Load(t); ok {
		return fs.([]structField)
	}
	var fs []structField
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		tag, ok := sf.Tag.Lookup("control")
		if !ok || !sf.IsExported() || tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = sf.Name
		}
		fs = append(fs, structField{name: name, index: i, required: opts == "required"})
	}
	fieldCache.Store(t, fs)
	return fs
}

var textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()

func setValue(fv reflect.Value, s string) error {
	if fv.CanAddr() && fv.Addr().Type().Implements(textUnmarshaler) {
		return fv.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s))
	}
	switch fv.Kind() {
	case reflect.String:
		fv.SetString(s)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, fv.Type().Bits())
		if err != nil {
			return fmt.Errorf("not a number: %q", s)
		}
		fv.SetInt(n)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, err := strconv.ParseUint(strings.TrimSpace(s), 10, fv.Type().Bits())
		if err != nil {
			return fmt.Errorf("not a non-negative number: %q", s)
		}
		fv.SetUint(n)
	case reflect.Bool:
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "yes":
			fv.SetBool(true)
		case "no", "":
			fv.SetBool(false)
		default:
			return fmt.Errorf("want yes or no, got %q", s)
		}
	case reflect.Slice:
		if fv.Type().Elem().Kind() != reflect.String {
			return fmt.Errorf("unsupported type %s", fv.Type())
		}
		fv.Set(reflect.ValueOf(strings.Fields(s)))
	default:
		return fmt.Errorf("unsupported type %s", fv.Type())
	}
	return nil
}

func formatValue(fv reflect.Value) (string, error) {
	if m, ok := fv.Interface().(encoding.TextMarshaler); ok {
		b, err := m.MarshalText()
		return string(b), err
	}
	switch fv.Kind() {
	case reflect.String:
		return fv.String(), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if fv.Int() == 0 {
			return "", nil
		}
		return strconv.FormatInt(fv.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if fv.Uint() == 0 {
			return "", nil
		}
		return strconv.FormatUint(fv.Uint(), 10), nil
	case reflect.Bool:
		if fv.Bool() {
			return "yes", nil
		}
		return "", nil
	case reflect.Slice:
		if fv.Type().Elem().Kind() == reflect.String {
			return strings.Join(fv.Interface().([]string), " "), nil
		}
	}
	return "", fmt.Errorf("unsupported type %s", fv.Type())
}
