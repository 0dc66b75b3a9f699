package jsonx

import (
	"encoding/base64"
	"fmt"
	"reflect"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// Unmarshal decodes the JSON value in data into the value v points to, as
// encoding/json's Unmarshal does for the types the package supports:
// object members are matched to struct fields by name, exactly or else
// ignoring case, and members that match none are skipped; null leaves
// strings, numbers, booleans and structs alone and sets pointers,
// interfaces, slices and maps to nil; numbers that do not fit the field's
// type are errors; escapes are decoded, surrogate pairs included, and a
// lone surrogate or a byte that is not UTF-8 becomes U+FFFD. An empty
// interface receives map[string]any, []any, float64, string, bool or nil.
//
// Unmarshal fails on data that is not one valid JSON value (the check
// Valid makes), and on a value of the wrong kind for where it goes, then
// leaving v partly filled.
func Unmarshal(data []byte, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return fmt.Errorf("jsonx: Unmarshal needs a non-nil pointer, not %T", v)
	}
	d := decoder{data: data}
	if err := d.value(rv); err != nil {
		return err
	}
	return d.end()
}

// Valid reports whether data is one JSON value (RFC 8259 §2), with
// optional white space around it and at most 10000 objects and arrays
// open at once. Like encoding/json, it accepts bytes that are not UTF-8
// inside strings.
func Valid(data []byte) bool {
	d := decoder{data: data}
	return d.skip() == nil && d.end() == nil
}

// decoder reads one JSON text. Each method reads from data[pos:] and
// advances pos past what it read.
type decoder struct {
	data []byte
	pos  int
	// depth counts the objects and arrays open.
	depth int
}

// syntaxError says what was expected at pos.
func (d *decoder) syntaxError(expected string) error {
	if d.pos >= len(d.data) {
		return fmt.Errorf("jsonx: unexpected end of JSON input, looking for %s", expected)
	}
	return fmt.Errorf("jsonx: invalid character %q at offset %d, looking for %s", d.data[d.pos], d.pos, expected)
}

// typeError says that a JSON value of the given kind cannot go into t.
func (d *decoder) typeError(kind string, t reflect.Type) error {
	return fmt.Errorf("jsonx: cannot store JSON %s at offset %d in a Go value of type %v", kind, d.pos, t)
}

// peek returns the byte at pos, or 0 at the end (0 is never expected).
func (d *decoder) peek() byte {
	if d.pos < len(d.data) {
		return d.data[d.pos]
	}
	return 0
}

// space skips white space. RFC 8259 §2: ws = *( %x20 / %x09 / %x0A / %x0D ).
func (d *decoder) space() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// end checks that only white space follows the value. RFC 8259 §2:
// JSON-text = ws value ws.
func (d *decoder) end() error {
	d.space()
	if d.pos < len(d.data) {
		return d.syntaxError("the end of the input after the value")
	}
	return nil
}

// value decodes the next value into v.
func (d *decoder) value(v reflect.Value) error {
	d.space()
	c := d.peek()
	v = settle(v, c == 'n')
	if v.Type() == rawMessageType {
		start := d.pos
		if err := d.skip(); err != nil {
			return err
		}
		v.SetBytes(append([]byte(nil), d.data[start:d.pos]...))
		return nil
	}
	switch c {
	case '{':
		return d.object(v)
	case '[':
		return d.array(v)
	case '"':
		s, err := d.string(true)
		if err != nil {
			return err
		}
		return d.storeString(v, string(s))
	case 't', 'f':
		word := "false"
		if c == 't' {
			word = "true"
		}
		if err := d.literal(word); err != nil {
			return err
		}
		switch {
		case v.Kind() == reflect.Bool:
			v.SetBool(c == 't')
		case v.Kind() == reflect.Interface && v.NumMethod() == 0:
			v.Set(reflect.ValueOf(c == 't'))
		default:
			return d.typeError("boolean", v.Type())
		}
		return nil
	case 'n':
		if err := d.literal("null"); err != nil {
			return err
		}
		switch v.Kind() {
		case reflect.Pointer, reflect.Interface, reflect.Slice, reflect.Map:
			v.SetZero()
		}
		return nil
	}
	number, err := d.number()
	if err != nil {
		return err
	}
	return d.storeNumber(v, number)
}

// settle finds where a value goes from v: through interfaces holding
// non-nil pointers, and through pointers, allocating the nil ones. For
// null it stops at the first pointer that can be set to nil.
func settle(v reflect.Value, null bool) reflect.Value {
	for {
		if v.Kind() == reflect.Interface && !v.IsNil() {
			// A pointer held in an interface is decoded into; any other
			// value held there is replaced.
			if e := v.Elem(); e.Kind() == reflect.Pointer && !e.IsNil() && (!null || e.Elem().Kind() == reflect.Pointer) {
				v = e
				continue
			}
		}
		if v.Kind() != reflect.Pointer || null && v.CanSet() {
			return v
		}
		if e := v.Elem(); e.Kind() == reflect.Interface && e.Elem().Equal(v) {
			// An interface holding its own address: decoding into the
			// pointer would go round for ever; replace what it holds.
			return e
		}
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		v = v.Elem()
	}
}

// storeString stores a decoded string in v: a string, an empty interface,
// or a byte slice, which it holds in base64 (RFC 4648 §4, as Marshal
// writes it).
func (d *decoder) storeString(v reflect.Value, s string) error {
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
		return nil
	case reflect.Interface:
		if v.NumMethod() == 0 {
			v.Set(reflect.ValueOf(s))
			return nil
		}
	case reflect.Slice:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			b, err := base64.StdEncoding.DecodeString(s)
			if err != nil {
				return fmt.Errorf("jsonx: string before offset %d is not base64: %v", d.pos, err)
			}
			v.SetBytes(b)
			return nil
		}
	}
	return d.typeError("string", v.Type())
}

// storeNumber stores a number literal in v: an integer that fits v's type,
// any number that fits a float type, a float64 in an empty interface.
func (d *decoder) storeNumber(v reflect.Value, number []byte) error {
	switch v.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, err := strconv.ParseInt(string(number), 10, 64)
		if err == nil && !v.OverflowInt(n) {
			v.SetInt(n)
			return nil
		}
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		n, err := strconv.ParseUint(string(number), 10, 64)
		if err == nil && !v.OverflowUint(n) {
			v.SetUint(n)
			return nil
		}
	case reflect.Float32, reflect.Float64:
		f, err := strconv.ParseFloat(string(number), v.Type().Bits())
		if err == nil && !v.OverflowFloat(f) {
			v.SetFloat(f)
			return nil
		}
	case reflect.Interface:
		if v.NumMethod() == 0 {
			f, err := strconv.ParseFloat(string(number), 64)
			if err == nil {
				v.Set(reflect.ValueOf(f))
				return nil
			}
		}
	}
	return d.typeError("number "+string(number), v.Type())
}

// object decodes an object into a struct, a map with string keys or an
// empty interface.
func (d *decoder) object(v reflect.Value) error {
	switch v.Kind() {
	case reflect.Interface:
		if v.NumMethod() == 0 {
			return d.intoEmptyInterface(v)
		}
	case reflect.Map:
		t := v.Type()
		if t.Key().Kind() != reflect.String {
			break
		}
		if v.IsNil() {
			v.Set(reflect.MakeMap(t))
		}
		// Each member's value starts from zero, then goes into the map.
		elem := reflect.New(t.Elem()).Elem()
		return d.members(true, func(name []byte) error {
			elem.SetZero()
			if err := d.value(elem); err != nil {
				return err
			}
			v.SetMapIndex(reflect.ValueOf(string(name)).Convert(t.Key()), elem)
			return nil
		})
	case reflect.Struct:
		s := structOf(v.Type())
		if s.err != nil {
			return s.err
		}
		return d.members(true, func(name []byte) error {
			f := s.byName[string(name)]
			if f == nil {
				f = s.byFoldedName[foldName(string(name))]
			}
			if f == nil {
				return d.skip()
			}
			fv, err := fieldToSet(v, f.index)
			if err != nil {
				return err
			}
			return d.value(fv)
		})
	}
	return d.typeError("object", v.Type())
}

// fieldToSet follows index from struct v, allocating nil embedded
// pointers on the way.
func fieldToSet(v reflect.Value, index []int) (reflect.Value, error) {
	for _, i := range index {
		if v.Kind() == reflect.Pointer {
			if v.IsNil() {
				if !v.CanSet() {
					return reflect.Value{}, fmt.Errorf("jsonx: cannot allocate the embedded pointer to unexported %v", v.Type().Elem())
				}
				v.Set(reflect.New(v.Type().Elem()))
			}
			v = v.Elem()
		}
		v = v.Field(i)
	}
	return v, nil
}

// array decodes an array into a slice, an array or an empty interface. A
// slice takes as many elements as there are, reusing its own; an array
// takes as many as it holds, the others being skipped, and zeroes those
// left over.
func (d *decoder) array(v reflect.Value) error {
	switch v.Kind() {
	case reflect.Interface:
		if v.NumMethod() == 0 {
			return d.intoEmptyInterface(v)
		}
	case reflect.Slice, reflect.Array:
		isSlice := v.Kind() == reflect.Slice
		n := 0
		err := d.elements(func() error {
			if isSlice {
				if n >= v.Cap() {
					v.Grow(1)
				}
				if n >= v.Len() {
					v.SetLen(n + 1)
				}
			}
			n++
			if n > v.Len() {
				return d.skip()
			}
			return d.value(v.Index(n - 1))
		})
		if err != nil {
			return err
		}
		switch {
		case isSlice && n == 0:
			v.Set(reflect.MakeSlice(v.Type(), 0, 0))
		case isSlice:
			v.SetLen(n)
		default:
			for i := n; i < v.Len(); i++ {
				v.Index(i).SetZero()
			}
		}
		return nil
	}
	return d.typeError("array", v.Type())
}

// intoEmptyInterface decodes the next value as anyValue does and stores it
// in v, an empty interface.
func (d *decoder) intoEmptyInterface(v reflect.Value) error {
	x, err := d.anyValue()
	if err != nil {
		return err
	}
	v.Set(reflect.ValueOf(x))
	return nil
}

// anyValue decodes the next value as an empty interface holds it.
func (d *decoder) anyValue() (any, error) {
	d.space()
	switch d.peek() {
	case '{':
		m := map[string]any{}
		err := d.members(true, func(name []byte) error {
			x, err := d.anyValue()
			m[string(name)] = x
			return err
		})
		return m, err
	case '[':
		a := []any{}
		err := d.elements(func() error {
			x, err := d.anyValue()
			a = append(a, x)
			return err
		})
		return a, err
	case '"':
		s, err := d.string(true)
		return string(s), err
	case 't':
		return true, d.literal("true")
	case 'f':
		return false, d.literal("false")
	case 'n':
		return nil, d.literal("null")
	}
	number, err := d.number()
	if err != nil {
		return nil, err
	}
	f, err := strconv.ParseFloat(string(number), 64)
	if err != nil {
		return nil, d.typeError("number "+string(number), reflect.TypeFor[float64]())
	}
	return f, nil
}

// skip reads the next value, checking its syntax.
func (d *decoder) skip() error {
	d.space()
	switch d.peek() {
	case '{':
		return d.members(false, func([]byte) error { return d.skip() })
	case '[':
		return d.elements(d.skip)
	case '"':
		_, err := d.string(false)
		return err
	case 't':
		return d.literal("true")
	case 'f':
		return d.literal("false")
	case 'n':
		return d.literal("null")
	}
	_, err := d.number()
	return err
}

// open enters the object or array whose bracket is at pos.
func (d *decoder) open() error {
	if d.depth >= maxDepth {
		return fmt.Errorf("jsonx: more than %d objects and arrays nested at offset %d", maxDepth, d.pos)
	}
	d.depth++
	d.pos++
	return nil
}

// members reads an object, calling member with each member's name (when
// names is set; else nil) to read its value. The name may share memory
// with the input and is valid during the call only. RFC 8259 §4:
// object = begin-object [ member *( value-separator member ) ] end-object;
// member = string name-separator value.
func (d *decoder) members(names bool, member func(name []byte) error) error {
	if err := d.open(); err != nil {
		return err
	}
	d.space()
	if d.peek() == '}' {
		d.pos++
		d.depth--
		return nil
	}
	for {
		d.space()
		if d.peek() != '"' {
			return d.syntaxError("a member name")
		}
		name, err := d.string(names)
		if err != nil {
			return err
		}
		d.space()
		if d.peek() != ':' {
			return d.syntaxError("':' after a member name")
		}
		d.pos++
		if err := member(name); err != nil {
			return err
		}
		d.space()
		switch d.peek() {
		case ',':
			d.pos++
		case '}':
			d.pos++
			d.depth--
			return nil
		default:
			return d.syntaxError("',' or '}' after an object member")
		}
	}
}

// elements reads an array, calling element to read each value. RFC 8259
// §5: array = begin-array [ value *( value-separator value ) ] end-array.
func (d *decoder) elements(element func() error) error {
	if err := d.open(); err != nil {
		return err
	}
	d.space()
	if d.peek() == ']' {
		d.pos++
		d.depth--
		return nil
	}
	for {
		if err := element(); err != nil {
			return err
		}
		d.space()
		switch d.peek() {
		case ',':
			d.pos++
		case ']':
			d.pos++
			d.depth--
			return nil
		default:
			return d.syntaxError("',' or ']' after an array element")
		}
	}
}

// literal reads word. RFC 8259 §3: false, null and true, in lower case.
func (d *decoder) literal(word string) error {
	if len(d.data)-d.pos < len(word) || string(d.data[d.pos:d.pos+len(word)]) != word {
		return d.syntaxError("a value")
	}
	d.pos += len(word)
	return nil
}

// number reads a number and returns its text. RFC 8259 §6:
// number = [ minus ] int [ frac ] [ exp ]; int = zero / ( digit1-9 *DIGIT );
// frac = decimal-point 1*DIGIT; exp = e [ minus / plus ] 1*DIGIT.
func (d *decoder) number() ([]byte, error) {
	start := d.pos
	if d.peek() == '-' {
		d.pos++
	}
	switch c := d.peek(); {
	case c == '0':
		d.pos++
	case '1' <= c && c <= '9':
		d.digits()
	default:
		return nil, d.syntaxError("a value")
	}
	if d.peek() == '.' {
		d.pos++
		if !d.digits() {
			return nil, d.syntaxError("a digit after the decimal point")
		}
	}
	if c := d.peek(); c == 'e' || c == 'E' {
		d.pos++
		if c := d.peek(); c == '+' || c == '-' {
			d.pos++
		}
		if !d.digits() {
			return nil, d.syntaxError("a digit in the exponent")
		}
	}
	return d.data[start:d.pos], nil
}

// digits reads *DIGIT and reports whether there was one.
func (d *decoder) digits() bool {
	start := d.pos
	for d.pos < len(d.data) && '0' <= d.data[d.pos] && d.data[d.pos] <= '9' {
		d.pos++
	}
	return d.pos > start
}

// string reads a string and, when decode is set, returns its value, which
// may share memory with the input.
// RFC 8259 §7: string = quotation-mark *char quotation-mark, where the
// control characters U+0000 to U+001F must be escaped. A byte that does
// not belong to a UTF-8 sequence is accepted, as encoding/json accepts it,
// and decoded as U+FFFD.
func (d *decoder) string(decode bool) ([]byte, error) {
	d.pos++            // the opening quotation mark
	var decoded []byte // the value up to copied, once it differs from the text
	copied := d.pos    // data[copied:pos] is the value as it is written
	for d.pos < len(d.data) {
		switch c := d.data[d.pos]; {
		case c == '"':
			text := d.data[copied:d.pos]
			d.pos++
			if !decode {
				return nil, nil
			}
			if decoded == nil {
				return text, nil
			}
			return append(decoded, text...), nil
		case c < 0x20:
			return nil, d.syntaxError("an escape instead of a control character in a string")
		case c == '\\':
			r, size, err := d.escape()
			if err != nil {
				return nil, err
			}
			if decode {
				decoded = utf8.AppendRune(append(decoded, d.data[copied:d.pos]...), r)
			}
			d.pos += size
			copied = d.pos
		case c < utf8.RuneSelf:
			d.pos++
		default:
			r, size := utf8.DecodeRune(d.data[d.pos:])
			if r == utf8.RuneError && size == 1 && decode {
				decoded = utf8.AppendRune(append(decoded, d.data[copied:d.pos]...), utf8.RuneError)
				copied = d.pos + 1
			}
			d.pos += size
		}
	}
	return nil, d.syntaxError("the end of a string")
}

// escape reads the escape sequence at pos and returns the rune it stands
// for and its length, without advancing. RFC 8259 §7: \" \\ \/ \b \f \n
// \r \t and \uXXXX, a character outside the Basic Multilingual Plane being
// two of these, a UTF-16 surrogate pair. A surrogate that is not part of a
// pair stands for U+FFFD.
func (d *decoder) escape() (rune, int, error) {
	if d.pos+1 >= len(d.data) {
		d.pos++
		return 0, 0, d.syntaxError("an escape sequence")
	}
	switch c := d.data[d.pos+1]; c {
	case '"', '\\', '/':
		return rune(c), 2, nil
	case 'b':
		return '\b', 2, nil
	case 'f':
		return '\f', 2, nil
	case 'n':
		return '\n', 2, nil
	case 'r':
		return '\r', 2, nil
	case 't':
		return '\t', 2, nil
	case 'u':
		r, ok := hex4(d.data[d.pos+2:])
		if !ok {
			d.pos += 2
			return 0, 0, d.syntaxError("four hexadecimal digits after \\u")
		}
		if !utf16.IsSurrogate(r) {
			return r, 6, nil
		}
		if next := d.data[d.pos+6:]; len(next) >= 6 && next[0] == '\\' && next[1] == 'u' {
			if r2, ok := hex4(next[2:]); ok {
				if pair := utf16.DecodeRune(r, r2); pair != utf8.RuneError {
					return pair, 12, nil
				}
			}
		}
		return utf8.RuneError, 6, nil
	}
	d.pos++
	return 0, 0, d.syntaxError("an escape sequence")
}

// hex4 reads four hexadecimal digits.
func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}
