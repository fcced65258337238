package camt

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/alpage/alpage/internal/money"
)

// Credit/debit indicators (CdtDbtInd).
const (
	Credit = "CRDT" // money came in
	Debit  = "DBIT" // money went out
)

// Errors of Parse, wrapped with the place they were found.
var (
	// ErrNotCamt054 means the input is not a camt.054 notification: not
	// XML, another message (a camt.053 statement, a camt.052 report), or
	// malformed XML.
	ErrNotCamt054 = errors.New("not a camt.054 debit/credit notification")
	// ErrAmount means an amount is missing, malformed (not a plain decimal
	// with at most two significant decimals), negative, or in a currency
	// other than CHF and EUR.
	ErrAmount = errors.New("invalid amount")
	// ErrEntry means an entry lacks something Parse needs (a booking date, a
	// valid credit/debit indicator).
	ErrEntry = errors.New("invalid entry")
)

// Entry is one payment reported by the bank: one transaction of a booked
// entry.
type Entry struct {
	// BookingDate is the calendar date the bank booked the entry, at
	// midnight UTC (no time of day, no time zone: read it as a date).
	BookingDate time.Time
	// Amount is the transaction's amount, always positive; CreditDebit says
	// its direction.
	Amount money.Amount
	// CreditDebit is Credit ("CRDT") or Debit ("DBIT").
	CreditDebit string
	// Reversal is true when the bank reverses an earlier booking (RvslInd).
	Reversal bool
	// Reference is the structured creditor reference (QRR or SCOR), or "".
	Reference string
	// EndToEndID is the payer's end-to-end id, "" when absent or
	// "NOTPROVIDED".
	EndToEndID string
	// AccountServicerRef is the bank's unique reference of this transaction
	// (see the package documentation): the key to import a file twice safely.
	AccountServicerRef string
	// DebtorName is the payer's name (Dbtr, else UltmtDbtr), or "".
	DebtorName string
	// Unstructured is the unstructured remittance information (RmtInf/Ustrd
	// and Strd/AddtlRmtInf, joined by spaces), or "".
	Unstructured string
}

// The XML structures, by local element name (any namespace).
type document struct {
	XMLName xml.Name
	Ntfctn  *struct {
		Notifications []struct {
			Entries []xmlEntry `xml:"Ntry"`
		} `xml:"Ntfctn"`
	} `xml:"BkToCstmrDbtCdtNtfctn"`
	Stmt *struct{} `xml:"BkToCstmrStmt"`
	Rpt  *struct{} `xml:"BkToCstmrAcctRpt"`
}

type xmlAmount struct {
	Value string `xml:",chardata"`
	Ccy   string `xml:"Ccy,attr"`
}

type xmlEntry struct {
	Amt       *xmlAmount `xml:"Amt"`
	CdtDbtInd string     `xml:"CdtDbtInd"`
	RvslInd   string     `xml:"RvslInd"`
	Sts       struct {
		Text string `xml:",chardata"` // camt.054.001.04
		Cd   string `xml:"Cd"`        // camt.054.001.08
	} `xml:"Sts"`
	BookgDt struct {
		Dt   string `xml:"Dt"`
		DtTm string `xml:"DtTm"`
	} `xml:"BookgDt"`
	AcctSvcrRef string `xml:"AcctSvcrRef"`
	NtryDtls    []struct {
		TxDtls []xmlTx `xml:"TxDtls"`
	} `xml:"NtryDtls"`
}

type xmlParty struct {
	Nm  string   `xml:"Nm"` // camt.054.001.04
	Pty struct { // camt.054.001.08
		Nm string `xml:"Nm"`
	} `xml:"Pty"`
}

func (p xmlParty) name() string {
	if n := strings.TrimSpace(p.Nm); n != "" {
		return n
	}
	return strings.TrimSpace(p.Pty.Nm)
}

type xmlTx struct {
	Refs struct {
		AcctSvcrRef string `xml:"AcctSvcrRef"`
		EndToEndID  string `xml:"EndToEndId"`
	} `xml:"Refs"`
	Amt       *xmlAmount `xml:"Amt"`
	CdtDbtInd string     `xml:"CdtDbtInd"`
	AmtDtls   struct {
		TxAmt struct {
			Amt *xmlAmount `xml:"Amt"`
		} `xml:"TxAmt"`
		InstdAmt struct {
			Amt *xmlAmount `xml:"Amt"`
		} `xml:"InstdAmt"`
	} `xml:"AmtDtls"`
	RltdPties struct {
		Dbtr      xmlParty `xml:"Dbtr"`
		UltmtDbtr xmlParty `xml:"UltmtDbtr"`
	} `xml:"RltdPties"`
	RmtInf struct {
		Ustrd []string `xml:"Ustrd"`
		Strd  []struct {
			CdtrRefInf struct {
				Ref string `xml:"Ref"`
			} `xml:"CdtrRefInf"`
			AddtlRmtInf []string `xml:"AddtlRmtInf"`
		} `xml:"Strd"`
	} `xml:"RmtInf"`
}

// Parse reads a camt.054 notification (version .04 or .08) and returns its
// booked transactions in file order, one Entry per transaction detail.
func Parse(r io.Reader) ([]Entry, error) {
	var doc document
	dec := xml.NewDecoder(r)
	dec.CharsetReader = func(charset string, in io.Reader) (io.Reader, error) {
		return nil, fmt.Errorf("%w: unsupported encoding %q (want UTF-8)", ErrNotCamt054, charset)
	}
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, ErrNotCamt054) {
			return nil, fmt.Errorf("camt: %w", err)
		}
		return nil, fmt.Errorf("camt: %w: %w", ErrNotCamt054, err)
	}
	switch {
	case doc.XMLName.Local != "Document":
		return nil, fmt.Errorf("camt: %w: root element is <%s>, not <Document>", ErrNotCamt054, doc.XMLName.Local)
	case doc.Stmt != nil:
		return nil, fmt.Errorf("camt: %w: this is a camt.053 account statement", ErrNotCamt054)
	case doc.Rpt != nil:
		return nil, fmt.Errorf("camt: %w: this is a camt.052 account report", ErrNotCamt054)
	case doc.Ntfctn == nil:
		return nil, fmt.Errorf("camt: %w: no <BkToCstmrDbtCdtNtfctn> in <Document> (namespace %q)", ErrNotCamt054, doc.XMLName.Space)
	}
	var out []Entry
	n := 0
	for _, ntf := range doc.Ntfctn.Notifications {
		for _, e := range ntf.Entries {
			n++
			entries, err := e.entries()
			if err != nil {
				return nil, fmt.Errorf("camt: entry %d%s: %w", n, refNote(e.AcctSvcrRef), err)
			}
			out = append(out, entries...)
		}
	}
	return out, nil
}

func refNote(ref string) string {
	if ref == "" {
		return ""
	}
	return fmt.Sprintf(" (AcctSvcrRef %q)", ref)
}

// entries turns one booked entry into one Entry per transaction.
func (e xmlEntry) entries() ([]Entry, error) {
	status := strings.TrimSpace(e.Sts.Cd)
	if status == "" {
		status = strings.TrimSpace(e.Sts.Text)
	}
	if status != "" && status != "BOOK" {
		return nil, nil // PDNG, INFO: reported again once booked
	}
	base := Entry{CreditDebit: strings.TrimSpace(e.CdtDbtInd), Reversal: strings.TrimSpace(e.RvslInd) == "true"}
	if base.CreditDebit != Credit && base.CreditDebit != Debit {
		return nil, fmt.Errorf("%w: CdtDbtInd %q, want CRDT or DBIT", ErrEntry, e.CdtDbtInd)
	}
	date, err := bookingDate(e.BookgDt.Dt, e.BookgDt.DtTm)
	if err != nil {
		return nil, err
	}
	base.BookingDate = date

	var txs []xmlTx
	for _, d := range e.NtryDtls {
		txs = append(txs, d.TxDtls...)
	}
	entryRef := strings.TrimSpace(e.AcctSvcrRef)
	if len(txs) == 0 {
		amt, err := parseAmount(e.Amt)
		if err != nil {
			return nil, err
		}
		base.Amount, base.AccountServicerRef = amt, entryRef
		return []Entry{base}, nil
	}
	out := make([]Entry, 0, len(txs))
	for i, tx := range txs {
		en, err := tx.entry(base, e.Amt, len(txs), i, entryRef)
		if err != nil {
			return nil, fmt.Errorf("transaction %d: %w", i+1, err)
		}
		out = append(out, en)
	}
	return out, nil
}

func (tx xmlTx) entry(base Entry, entryAmt *xmlAmount, count, i int, entryRef string) (Entry, error) {
	en := base
	amt := tx.Amt
	for _, alt := range []*xmlAmount{tx.AmtDtls.TxAmt.Amt, tx.AmtDtls.InstdAmt.Amt} {
		if amt == nil {
			amt = alt
		}
	}
	if amt == nil && count == 1 {
		amt = entryAmt
	}
	if amt == nil {
		return Entry{}, fmt.Errorf("%w: no amount for one of %d transactions of a batch booking", ErrAmount, count)
	}
	var err error
	if en.Amount, err = parseAmount(amt); err != nil {
		return Entry{}, err
	}
	if ind := strings.TrimSpace(tx.CdtDbtInd); ind != "" {
		if ind != Credit && ind != Debit {
			return Entry{}, fmt.Errorf("%w: CdtDbtInd %q, want CRDT or DBIT", ErrEntry, tx.CdtDbtInd)
		}
		en.CreditDebit = ind
	}
	switch ref := strings.TrimSpace(tx.Refs.AcctSvcrRef); {
	case ref != "":
		en.AccountServicerRef = ref
	case count > 1 && entryRef != "":
		en.AccountServicerRef = entryRef + "/" + strconv.Itoa(i+1)
	default:
		en.AccountServicerRef = entryRef
	}
	if id := strings.TrimSpace(tx.Refs.EndToEndID); id != "NOTPROVIDED" {
		en.EndToEndID = id
	}
	en.DebtorName = tx.RltdPties.Dbtr.name()
	if en.DebtorName == "" {
		en.DebtorName = tx.RltdPties.UltmtDbtr.name()
	}
	var text []string
	for _, u := range tx.RmtInf.Ustrd {
		if u = strings.TrimSpace(u); u != "" {
			text = append(text, u)
		}
	}
	for _, s := range tx.RmtInf.Strd {
		if en.Reference == "" {
			en.Reference = strings.ToUpper(strings.Join(strings.Fields(s.CdtrRefInf.Ref), ""))
		}
		for _, a := range s.AddtlRmtInf {
			if a = strings.TrimSpace(a); a != "" {
				text = append(text, a)
			}
		}
	}
	en.Unstructured = strings.Join(text, " ")
	return en, nil
}

// bookingDate reads BookgDt/Dt ("2025-11-03") or the date of BookgDt/DtTm
// ("2025-11-03T10:15:00+01:00": the date as the bank wrote it).
func bookingDate(dt, dtTm string) (time.Time, error) {
	s := strings.TrimSpace(dt)
	if s == "" {
		s = strings.TrimSpace(dtTm)
		if len(s) > 10 && s[10] == 'T' {
			s = s[:10]
		}
	}
	if s == "" {
		return time.Time{}, fmt.Errorf("%w: no booking date (BookgDt)", ErrEntry)
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w: booking date %q is not YYYY-MM-DD", ErrEntry, s)
	}
	return d, nil
}

// parseAmount reads an ISO 20022 amount ("1949.75", "100", "100.5",
// "12.500") into minor units without floating point: digits, an optional
// point and decimals, of which at most two may be significant.
func parseAmount(a *xmlAmount) (money.Amount, error) {
	if a == nil {
		return money.Amount{}, fmt.Errorf("%w: no amount (Amt)", ErrAmount)
	}
	ccy := strings.TrimSpace(a.Ccy)
	if !money.Supported(ccy) {
		return money.Amount{}, fmt.Errorf("%w: currency %q (only CHF and EUR)", ErrAmount, a.Ccy)
	}
	s := strings.TrimSpace(a.Value)
	whole, frac, hasPoint := strings.Cut(s, ".")
	if whole == "" || !allDigits(whole) || !allDigits(frac) || (hasPoint && frac == "") {
		return money.Amount{}, fmt.Errorf("%w: %q is not a decimal amount", ErrAmount, a.Value)
	}
	frac = strings.TrimRight(frac, "0")
	if len(frac) > 2 {
		return money.Amount{}, fmt.Errorf("%w: %q has more than two decimals", ErrAmount, a.Value)
	}
	whole = strings.TrimLeft(whole, "0")
	if len(whole) > 15 {
		return money.Amount{}, fmt.Errorf("%w: %q is too large", ErrAmount, a.Value)
	}
	frac += strings.Repeat("0", 2-len(frac))
	minor, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil {
		return money.Amount{}, fmt.Errorf("%w: %q: %w", ErrAmount, a.Value, err)
	}
	return money.Amount{Minor: minor, Currency: ccy}, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
