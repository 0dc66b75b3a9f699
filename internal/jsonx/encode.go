package jsonx

import (
	"encoding/base64"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"unicode/utf8"
)

// Marshal returns the JSON encoding of v: the bytes encoding/json's
// Marshal returns for the types the package supports. Struct fields are
// written in declaration order, map members sorted by key, strings
// escaped for embedding in HTML (<, > and & as \u003c, \u003e, \u0026,
// U+2028 and U+2029 escaped, bytes that are not UTF-8 written as \ufffd),
// floats as ECMAScript writes numbers. Marshal fails on an unsupported
// type, a NaN or infinite float, a RawMessage that is not valid JSON, and
// a value nested too deep (such as a cyclic one).
func Marshal(v any) ([]byte, error) {
	e := encoder{}
	if err := e.value(reflect.ValueOf(v)); err != nil {
		return nil, err
	}
	return e.out, nil
}

// encoder appends the encoding of values to out.
type encoder struct {
	out []byte
	// depth counts the pointers, slices, arrays, maps and structs being
	// encoded, one inside the other.
	depth int
}

// value appends the encoding of v; an invalid v (a nil interface) is null.
func (e *encoder) value(v reflect.Value) error {
	if !v.IsValid() {
		e.out = append(e.out, "null"...)
		return nil
	}
	t := v.Type()
	if t == rawMessageType {
		return e.rawMessage(v.Bytes())
	}
	switch v.Kind() {
	case reflect.Bool:
		e.out = strconv.AppendBool(e.out, v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		e.out = strconv.AppendInt(e.out, v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		e.out = strconv.AppendUint(e.out, v.Uint(), 10)
	case reflect.Float32, reflect.Float64:
		return e.float(v.Float(), t.Bits())
	case reflect.String:
		e.out = appendString(e.out, v.String())
	case reflect.Interface:
		if v.IsNil() {
			e.out = append(e.out, "null"...)
			return nil
		}
		return e.value(v.Elem())
	case reflect.Pointer, reflect.Slice, reflect.Map:
		if t.Kind() == reflect.Map && t.Key().Kind() != reflect.String {
			return fmt.Errorf("jsonx: unsupported type %v: map keys must be strings", t)
		}
		if v.IsNil() {
			e.out = append(e.out, "null"...)
			return nil
		}
		if t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8 {
			// A byte slice is a base64 string (RFC 4648 §4, padded), as
			// encoding/json writes it.
			e.out = append(e.out, '"')
			e.out = base64.StdEncoding.AppendEncode(e.out, v.Bytes())
			e.out = append(e.out, '"')
			return nil
		}
		return e.nested(v)
	case reflect.Array, reflect.Struct:
		return e.nested(v)
	default:
		return fmt.Errorf("jsonx: unsupported type %v", t)
	}
	return nil
}

// nested appends the encoding of a non-nil pointer, slice or map, or of an
// array or struct, one level deeper.
func (e *encoder) nested(v reflect.Value) error {
	if e.depth++; e.depth > maxDepth {
		return fmt.Errorf("jsonx: value of type %v nested more than %d deep (is it cyclic?)", v.Type(), maxDepth)
	}
	var err error
	switch v.Kind() {
	case reflect.Pointer:
		err = e.value(v.Elem())
	case reflect.Slice, reflect.Array:
		err = e.array(v)
	case reflect.Map:
		err = e.object(v)
	case reflect.Struct:
		err = e.structure(v)
	}
	e.depth--
	return err
}

// array appends a slice or array as a JSON array (RFC 8259 §5).
func (e *encoder) array(v reflect.Value) error {
	e.out = append(e.out, '[')
	for i := range v.Len() {
		if i > 0 {
			e.out = append(e.out, ',')
		}
		if err := e.value(v.Index(i)); err != nil {
			return err
		}
	}
	e.out = append(e.out, ']')
	return nil
}

// object appends a map with string keys as a JSON object (RFC 8259 §4),
// its members sorted by key, byte by byte.
func (e *encoder) object(v reflect.Value) error {
	keys := make([]string, 0, v.Len())
	for it := v.MapRange(); it.Next(); {
		keys = append(keys, it.Key().String())
	}
	slices.Sort(keys)
	keyType := v.Type().Key()
	e.out = append(e.out, '{')
	for i, k := range keys {
		if i > 0 {
			e.out = append(e.out, ',')
		}
		e.out = append(appendString(e.out, k), ':')
		if err := e.value(v.MapIndex(reflect.ValueOf(k).Convert(keyType))); err != nil {
			return err
		}
	}
	e.out = append(e.out, '}')
	return nil
}

// structure appends a struct as a JSON object, its members in field order.
// A member promoted through a nil embedded pointer is left out, as is an
// omitempty member whose value is empty.
func (e *encoder) structure(v reflect.Value) error {
	s := structOf(v.Type())
	if s.err != nil {
		return s.err
	}
	e.out = append(e.out, '{')
	written := 0
	for i := range s.fields {
		f := &s.fields[i]
		fv, ok := fieldToRead(v, f.index)
		if !ok || f.omitEmpty && isEmpty(fv) {
			continue
		}
		if written > 0 {
			e.out = append(e.out, ',')
		}
		written++
		e.out = append(e.out, f.key...)
		if err := e.value(fv); err != nil {
			return err
		}
	}
	e.out = append(e.out, '}')
	return nil
}

// fieldToRead follows index from struct v, through embedded pointers; it
// reports false when one of them is nil.
func fieldToRead(v reflect.Value, index []int) (reflect.Value, bool) {
	for _, i := range index {
		if v.Kind() == reflect.Pointer {
			if v.IsNil() {
				return reflect.Value{}, false
			}
			v = v.Elem()
		}
		v = v.Field(i)
	}
	return v, true
}

// isEmpty reports whether omitempty leaves v out: false, 0 (and -0), a nil
// pointer or interface, an empty string, slice, array or map. A struct
// never is.
func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.String, reflect.Slice, reflect.Array, reflect.Map:
		return v.Len() == 0
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Pointer, reflect.Interface:
		return v.IsZero()
	}
	return false
}

// float appends f, of the given bit size, as ECMAScript's Number
// toString writes it: the shortest decimal that reads back as f, in plain
// notation from 1e-6 up to 1e21 and in exponent notation outside, with
// the exponent's sign and no leading zero in it (1e+21, 1e-7).
func (e *encoder) float(f float64, bits int) error {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		// RFC 8259 §6: "Numeric values that cannot be represented in the
		// grammar below (such as Infinity and NaN) are not permitted."
		return fmt.Errorf("jsonx: unsupported value %v", f)
	}
	format := byte('f')
	if a := math.Abs(f); a != 0 {
		// The bounds are compared at the value's own precision.
		tiny, huge := a < 1e-6, a >= 1e21
		if bits == 32 {
			tiny, huge = float32(a) < 1e-6, float32(a) >= 1e21
		}
		if tiny || huge {
			format = 'e'
		}
	}
	start := len(e.out)
	e.out = strconv.AppendFloat(e.out, f, format, -1, bits)
	if format == 'e' {
		// strconv writes at least two exponent digits (1e-07).
		if exp := e.out[start:]; len(exp) >= 4 && string(exp[len(exp)-4:len(exp)-1]) == "e-0" {
			e.out = append(e.out[:len(e.out)-2], exp[len(exp)-1])
		}
	}
	return nil
}

// hexDigits writes \u escapes, in lower case as encoding/json does.
const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string (RFC 8259 §7). Quotation mark
// and reverse solidus are escaped as \" and \\; the control characters
// U+0000 to U+001F as \b, \f, \n, \r, \t or \u00XX; <, > and & as \u003c,
// \u003e and \u0026, and U+2028 and U+2029 as \u2028 and \u2029, so that
// the text is safe inside HTML and JavaScript; each byte that does not
// belong to a UTF-8 sequence as \ufffd.
func appendString(out []byte, s string) []byte {
	out = append(out, '"')
	copied := 0 // s[:copied] is in out
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			out = append(out, s[copied:i]...)
			switch c {
			case '"', '\\':
				out = append(out, '\\', c)
			case '\b':
				out = append(out, `\b`...)
			case '\f':
				out = append(out, `\f`...)
			case '\n':
				out = append(out, `\n`...)
			case '\r':
				out = append(out, `\r`...)
			case '\t':
				out = append(out, `\t`...)
			default:
				out = append(out, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			copied = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		var escaped string
		switch {
		case r == utf8.RuneError && size == 1:
			escaped = `\ufffd`
		case r == '\u2028':
			escaped = `\u2028`
		case r == '\u2029':
			escaped = `\u2029`
		}
		if escaped != "" {
			out = append(append(out, s[copied:i]...), escaped...)
			copied = i + size
		}
		i += size
	}
	out = append(out, s[copied:]...)
	return append(out, '"')
}

// rawMessage appends the JSON text m without its insignificant white space
// (RFC 8259 §2), with <, >, & and U+2028, U+2029 escaped as appendString
// escapes them (they can only be inside strings); other string content is
// kept as it is. A nil m is null. m must be one valid JSON value.
func (e *encoder) rawMessage(m []byte) error {
	if m == nil {
		e.out = append(e.out, "null"...)
		return nil
	}
	if !Valid(m) {
		return fmt.Errorf("jsonx: RawMessage %.40q is not valid JSON", m)
	}
	inString, escaping := false, false
	for i := 0; i < len(m); i++ {
		c := m[i]
		switch {
		case c == '<' || c == '>' || c == '&':
			e.out = append(e.out, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			continue
		case c == 0xe2 && i+2 < len(m) && m[i+1] == 0x80 && (m[i+2] == 0xa8 || m[i+2] == 0xa9):
			// U+2028 and U+2029 in UTF-8.
			e.out = append(e.out, '\\', 'u', '2', '0', '2', hexDigits[m[i+2]&0xf])
			i += 2
			continue
		case inString:
			switch {
			case escaping:
				escaping = false
			case c == '\\':
				escaping = true
			case c == '"':
				inString = false
			}
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			continue
		case c == '"':
			inString = true
		}
		e.out = append(e.out, c)
	}
	return nil
}
