package api

// Envelope is the body of every successful answer with one object:
// {"result":"success","data":…}.
type Envelope[T any] struct {
	Result string `json:"result" enum:"success" doc:"Always \"success\"."`
	Data   T      `json:"data"`
}

// Out is a Huma output carrying an Envelope.
type Out[T any] struct {
	Body Envelope[T]
}

// ok wraps v in the success envelope.
func ok[T any](v T) *Out[T] {
	return &Out[T]{Body: Envelope[T]{Result: "success", Data: v}}
}

// List is the body of a paginated list:
// {"result":"success","data":[…],"total":N,"page":p,"pages":n,"items_per_page":k}.
type List[T any] struct {
	Result       string `json:"result" enum:"success" doc:"Always \"success\"."`
	Data         []T    `json:"data"`
	Total        int    `json:"total" doc:"Number of items in the whole list."`
	Page         int    `json:"page" doc:"This page, from 1."`
	Pages        int    `json:"pages" doc:"Number of pages."`
	ItemsPerPage int    `json:"items_per_page" doc:"Page size."`
}

// ListOut is a Huma output carrying a List.
type ListOut[T any] struct {
	Body List[T]
}

// Page sizes.
const (
	DefaultPerPage = 20
	MaxPerPage     = 100
)

// PageParams are the pagination query parameters; embed them in an input.
type PageParams struct {
	Page    int `query:"page" minimum:"1" default:"1" doc:"Page number, from 1."`
	PerPage int `query:"per_page" minimum:"1" maximum:"100" default:"20" doc:"Items per page (at most 100)."`
}

// normalized returns p with defaults applied (Huma applies them too; this
// keeps the helpers safe for any caller).
func (p PageParams) normalized() PageParams {
	if p.Page < 1 {
		p.Page = 1
	}
	if p.PerPage < 1 {
		p.PerPage = DefaultPerPage
	}
	if p.PerPage > MaxPerPage {
		p.PerPage = MaxPerPage
	}
	return p
}

// Offset and Limit return the SQL window of the page, for lists paginated
// in the database (then build the answer with NewList).
func (p PageParams) Offset() int { p = p.normalized(); return (p.Page - 1) * p.PerPage }

// Limit returns the page size.
func (p PageParams) Limit() int { return p.normalized().PerPage }

// NewList answers one page of items out of total.
func NewList[T any](items []T, total int, p PageParams) *ListOut[T] {
	p = p.normalized()
	if items == nil {
		items = []T{}
	}
	pages := (total + p.PerPage - 1) / p.PerPage
	return &ListOut[T]{Body: List[T]{
		Result: "success", Data: items, Total: total,
		Page: p.Page, Pages: pages, ItemsPerPage: p.PerPage,
	}}
}

// Paginate answers the page p of all, for lists read whole (a user's
// organizations, tokens).
func Paginate[T any](all []T, p PageParams) *ListOut[T] {
	p = p.normalized()
	start := min(p.Offset(), len(all))
	end := min(start+p.PerPage, len(all))
	return NewList(all[start:end:end], len(all), p)
}
