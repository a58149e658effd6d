package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/gin-gonic/gin"

	"taxiexam/internal/platform/apperr"
)

// bindJSON decodes the body strictly into dst: JSON only, no unknown
// fields, one value, types as declared, text without control characters
// and in valid UTF-8 (which the decoder would silently replace). Errors
// name the field.
func bindJSON(c *gin.Context, dst any) error {
	if ct := c.GetHeader("Content-Type"); ct != "" && ct != "application/json" { // the usual value needs no parsing
		if mt, _, _ := mime.ParseMediaType(ct); mt != "application/json" {
			return errContentType
		}
	}
	body, err := io.ReadAll(c.Request.Body)
	if err != nil {
		return decodeError(err)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	if dec.More() {
		return errMalformedJSON.WithMessage("the body holds more than one JSON value")
	}
	bad := apperr.Fields{}
	checkText(bad, "", reflect.ValueOf(dst), !utf8.Valid(body))
	if len(bad) == 0 && !utf8.Valid(body) {
		bad.Add("body", apperr.UTF8())
	}
	return bad.Err()
}

// checkText walks the decoded value and records every string field that
// holds a control character (tab and line breaks are text) or, when the
// body was not valid UTF-8, the replacement character the decoder put in.
func checkText(bad apperr.Fields, path string, v reflect.Value, invalidUTF8 bool) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			checkText(bad, path, v.Elem(), invalidUTF8)
		}
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			if f.Anonymous && f.Tag.Get("json") == "" {
				checkText(bad, path, v.Field(i), invalidUTF8)
				continue
			}
			checkText(bad, joinPath(path, name), v.Field(i), invalidUTF8)
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			checkText(bad, path, v.Index(i), invalidUTF8)
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			checkText(bad, joinPath(path, fmt.Sprint(k.Interface())), v.MapIndex(k), invalidUTF8)
		}
	case reflect.String:
		s := v.String()
		if invalidUTF8 && strings.ContainsRune(s, utf8.RuneError) {
			bad.Add(orBody(path), apperr.UTF8())
		} else if hasControl(s) {
			bad.Add(orBody(path), apperr.ControlChars())
		}
	}
}

func hasControl(s string) bool {
	for _, r := range s {
		if (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || (r >= 0x7f && r <= 0x9f) {
			return true
		}
	}
	return false
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func orBody(path string) string {
	if path == "" {
		return "body"
	}
	return path
}

func decodeError(err error) error {
	var maxErr *http.MaxBytesError
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &maxErr):
		return errBodyTooLarge.WithMessage("the request body is larger than %d bytes", maxErr.Limit)
	case errors.Is(err, io.EOF):
		return errMalformedJSON.WithMessage("the request body is empty")
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			field = "body"
		}
		return apperr.Invalid(apperr.Fields{field: jsonKind(typeErr.Type.Kind().String())})
	case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF):
		return errMalformedJSON
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return apperr.New(apperr.KindBadRequest, "unknown_field", "the body has a field this route does not take").WithField(name, apperr.UnknownField())
	default:
		return errMalformedJSON.WithMessage("%s", err.Error())
	}
}

func jsonKind(goKind string) apperr.Reason {
	switch {
	case strings.HasPrefix(goKind, "int"), strings.HasPrefix(goKind, "uint"), strings.HasPrefix(goKind, "float"):
		return rsnJSONNumber
	case goKind == "bool":
		return rsnJSONBool
	case goKind == "slice", goKind == "array":
		return rsnJSONList
	case goKind == "struct", goKind == "map":
		return rsnJSONObject
	default:
		return rsnJSONString
	}
}

// pathID reads a positive integer path parameter.
func pathID(c *gin.Context, name string) (int64, error) {
	id, err := strconv.ParseInt(c.Param(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.ErrNotFound
	}
	return id, nil
}

// PageQuery is the pagination every list takes.
type PageQuery struct {
	Page     int `form:"page" json:"page" doc:"1-based page number, default 1"`
	PageSize int `form:"page_size" json:"page_size" doc:"items per page, default 20, at most 100"`
}

// Page is a paginated list response.
type Page[T any] struct {
	Items    []T   `json:"items"`
	Total    int64 `json:"total"`
	Page     int   `json:"page"`
	PageSize int   `json:"page_size"`
}

// maxPage bounds page numbers, so page x page_size never overflows into
// an offset that wraps back to the start.
const maxPage = 100_000

// pageReq is a checked page request.
type pageReq struct{ page, size int }

func (p pageReq) offset() int { return (p.page - 1) * p.size }

// pageParams validates page and page_size.
func pageParams(c *gin.Context) (pageReq, error) {
	f := apperr.Fields{}
	p := pageReq{page: 1, size: 20}
	if v := c.Query("page"); v != "" {
		n, e := strconv.Atoi(v)
		f.Check(e == nil && n >= 1 && n <= maxPage, "page", apperr.WholeNumber(1, maxPage))
		p.page = n
	}
	if v := c.Query("page_size"); v != "" {
		n, e := strconv.Atoi(v)
		f.Check(e == nil && n >= 1 && n <= 100, "page_size", rsnMustBeAWholeNumberFrom)
		p.size = n
	}
	return p, f.Err()
}

func newPage[T any](items []T, total int64, p pageReq) Page[T] {
	if items == nil {
		items = []T{}
	}
	return Page[T]{Items: items, Total: total, Page: p.page, PageSize: p.size}
}

// queryInt reads the optional integer query parameter name (0 when absent);
// a value that is not a whole number of at least min is recorded in bad.
func queryInt(c *gin.Context, bad apperr.Fields, name string, min int64, reason apperr.Reason) int64 {
	v := c.Query(name)
	if v == "" {
		return 0
	}
	n, err := strconv.ParseInt(v, 10, 64)
	bad.Check(err == nil && n >= min, name, reason)
	return n
}

var errNotMultipart = apperr.New(apperr.KindBadRequest, "multipart_required", "send the file as multipart/form-data in the field named file")

// uploadedFile reads the multipart field "file" and its name. A file over
// limit bytes gets tooLarge, which each route words for its users.
func uploadedFile(c *gin.Context, limit int64, tooLarge error) (data []byte, name string, err error) {
	mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if mt != "multipart/form-data" {
		return nil, "", errNotMultipart
	}
	fh, err := c.FormFile("file")
	if err != nil {
		var maxErr *http.MaxBytesError
		if errors.As(err, &maxErr) {
			return nil, "", errBodyTooLarge.WithMessage("the upload is larger than %d bytes", maxErr.Limit)
		}
		return nil, "", errNotMultipart
	}
	if fh.Size > limit {
		return nil, "", tooLarge
	}
	f, err := fh.Open()
	if err != nil {
		return nil, "", err
	}
	defer f.Close()
	data, err = io.ReadAll(io.LimitReader(f, limit+1))
	return data, fh.Filename, err
}
