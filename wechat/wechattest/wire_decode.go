package wechattest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// Request bodies are read strictly, against the wire types of wire_*.go:
// each struct field names one key in its json tag, spelt as the real
// server reads it, and these options may follow the name:
//
//	required  the official web client always sends the key
//	numstr    the official client sends a number or a string (both fine)
//
// Keys are matched case-sensitively, as the real server does (Go's own
// decoder would match "ClientMsgID" to ClientMsgId and hide the mistake).
// readWire sorts what it finds into the two levels of the package doc:
// refusals, which the real server answers with 1200 (not JSON, a value of
// a type it cannot convert), and deviations from the official client's
// form that the real server accepts (unknown or mis-cased keys, which it
// ignores; a number sent as a string or the other way round; a missing
// key the official client always sends; null).

// wireReading is what reading a body found.
type wireReading struct {
	// deviations from the official client's form; the server answers.
	deviations []string
	// refusal is why the real server would not parse the body; "" when
	// it would.
	refusal string
}

func (r *wireReading) deviate(path, format string, args ...any) {
	r.deviations = append(r.deviations, "key "+path+" "+fmt.Sprintf(format, args...))
}

func (r *wireReading) refuse(path, format string, args ...any) {
	if r.refusal == "" {
		r.refusal = "key " + path + " " + fmt.Sprintf(format, args...)
	}
}

// readWire reads a JSON body into dst, a pointer to a wire struct.
func readWire(data []byte, dst any) wireReading {
	var r wireReading
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		r.refusal = "malformed JSON: " + err.Error()
		return r
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		r.refusal = "malformed JSON: data after the JSON value"
		return r
	}
	v := reflect.ValueOf(dst).Elem()
	obj, ok := doc.(map[string]any)
	if !ok {
		r.refusal = "malformed JSON: " + jsonKind(doc) + ", want an object"
		return r
	}
	r.object("", obj, v)
	return r
}

// wireField is one key of a wire struct.
type wireField struct {
	name     string
	index    int
	required bool
	numStr   bool
}

func wireFields(t reflect.Type) []wireField {
	var out []wireField
	for i := range t.NumField() {
		f := t.Field(i)
		tag, ok := f.Tag.Lookup("json")
		if !ok || tag == "-" || !f.IsExported() {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		wf := wireField{name: name, index: i}
		for _, o := range strings.Split(opts, ",") {
			switch o {
			case "required":
				wf.required = true
			case "numstr":
				wf.numStr = true
			}
		}
		out = append(out, wf)
	}
	return out
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func (r *wireReading) object(path string, obj map[string]any, dst reflect.Value) {
	fields := wireFields(dst.Type())
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	present := make(map[string]bool, len(keys))
	for _, key := range keys {
		i := slices.IndexFunc(fields, func(f wireField) bool { return f.name == key })
		if i < 0 {
			if j := slices.IndexFunc(fields, func(f wireField) bool { return strings.EqualFold(f.name, key) }); j >= 0 {
				present[fields[j].name] = true
				r.deviate(strconv.Quote(joinPath(path, key)), "is mis-cased: the server reads %q and ignores this key", fields[j].name)
			} else {
				r.deviate(strconv.Quote(joinPath(path, key)), "is not a key of this body")
			}
			continue
		}
		present[key] = true
		r.value(joinPath(path, key), obj[key], dst.Field(fields[i].index), fields[i].numStr)
	}
	for _, f := range fields {
		if f.required && !present[f.name] {
			r.deviate(joinPath(path, f.name), "is missing (the web client always sends it)")
		}
	}
}

func (r *wireReading) value(path string, v any, dst reflect.Value, numStr bool) {
	if v == nil {
		r.deviate(path, "is null: the server reads no value")
		return
	}
	switch dst.Kind() {
	case reflect.Struct:
		obj, ok := v.(map[string]any)
		if !ok {
			r.refuse(path, "is %s, want an object", jsonKind(v))
			return
		}
		r.object(path, obj, dst)
	case reflect.Slice:
		arr, ok := v.([]any)
		if !ok {
			r.refuse(path, "is %s, want an array", jsonKind(v))
			return
		}
		dst.Set(reflect.MakeSlice(dst.Type(), len(arr), len(arr)))
		for i, item := range arr {
			r.value(path+"["+strconv.Itoa(i)+"]", item, dst.Index(i), false)
		}
	case reflect.String:
		switch x := v.(type) {
		case string:
			dst.SetString(x)
		case json.Number:
			if !numStr {
				r.deviate(path, "is a number, the web client sends a string")
			}
			dst.SetString(x.String())
		default:
			r.refuse(path, "is %s, want a string", jsonKind(v))
		}
	case reflect.Int, reflect.Int64:
		text := ""
		switch x := v.(type) {
		case json.Number:
			text = x.String()
		case string:
			if !numStr {
				r.deviate(path, "is a string, the web client sends a number")
			}
			text = strings.TrimSpace(x)
		default:
			r.refuse(path, "is %s, want a number", jsonKind(v))
			return
		}
		n, err := strconv.ParseInt(text, 10, 64)
		if err != nil || dst.OverflowInt(n) {
			r.refuse(path, "is %q, want an integer", text)
			return
		}
		dst.SetInt(n)
	default:
		panic("wechattest: wire type with a field of kind " + dst.Kind().String())
	}
}

func jsonKind(v any) string {
	switch v.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	}
	return "null"
}
