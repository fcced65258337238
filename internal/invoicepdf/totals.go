package invoicepdf

import (
	"fmt"
	"strings"

	"github.com/alpage/alpage/internal/money"
	"github.com/alpage/alpage/internal/qrbill"
)

// Totals block: labels from totalsLeft, amounts right-aligned at right.
const (
	totalsLeft   = 100.0
	totalsLabelW = 66.0
)

var (
	totalStyle = style{size: 10, bold: true, color: black}
)

// totalRow is one line of the totals block.
type totalRow struct {
	label, value string
	st           style
	ruleAbove    bool
}

// totals writes net, VAT per rate, the total, what was paid and what is due.
func (r *renderer) totals() error {
	d := r.d
	rows := []totalRow{{label: r.l.net, value: r.amount(d.Net), st: body, ruleAbove: true}}
	for _, v := range d.VATSummary {
		rows = append(rows, totalRow{
			label: fmt.Sprintf(r.l.vatOn, formatRate(v.Rate, r.num), r.amount(v.Base)),
			value: r.amount(v.VAT), st: body,
		})
	}
	rows = append(rows, totalRow{label: r.l.total, value: r.withCurrency(d.Total), st: totalStyle, ruleAbove: true})
	rows = append(rows, r.settlement()...)

	h := 4.0
	for _, row := range rows {
		h += row.st.lineHeight() + 1
	}
	r.y += 2
	if err := r.room(h); err != nil {
		return err
	}
	for _, row := range rows {
		if err := r.totalRow(row); err != nil {
			return err
		}
	}
	return nil
}

// settlement is what was paid and remains due (what was refunded, on a
// credit note).
func (r *renderer) settlement() []totalRow {
	d := r.d
	var rows []totalRow
	if d.Kind == KindCreditNote {
		if d.PrepaidUsed.Minor != 0 {
			rows = append(rows, totalRow{label: r.l.prepaidCredited, value: r.amount(d.PrepaidUsed), st: body})
		}
		if d.Paid != nil {
			rows = append(rows, totalRow{
				label: fmt.Sprintf(r.l.refundedOn, FormatDate(d.Paid.Date, r.lang), d.Paid.Method),
				value: r.amount(d.Paid.Amount), st: body,
			})
		}
		return rows
	}
	if d.PrepaidUsed.Minor != 0 {
		rows = append(rows, totalRow{label: r.l.prepaidUsed, value: r.amount(negate(d.PrepaidUsed)), st: body})
	}
	if d.Paid != nil {
		rows = append(rows, totalRow{
			label: fmt.Sprintf(r.l.paidOn, FormatDate(d.Paid.Date, r.lang), d.Paid.Method),
			value: r.amount(negate(d.Paid.Amount)), st: body,
		})
	}
	if len(rows) > 0 {
		rows = append(rows, totalRow{label: r.l.amountDue, value: r.withCurrency(d.AmountDue), st: totalStyle, ruleAbove: true})
	}
	return rows
}

func (r *renderer) totalRow(row totalRow) error {
	labels, err := r.c.wrapMax(row.st, row.label, totalsLabelW, 3)
	if err != nil {
		return err
	}
	if len(labels) == 0 {
		labels = []string{""}
	}
	h := float64(len(labels))*row.st.lineHeight() + 1
	if err := r.room(h + 1); err != nil {
		return err
	}
	if row.ruleAbove {
		w := 0.75
		if row.st.bold {
			w = 1
		}
		r.c.hline(totalsLeft, right, r.y, w, black)
		r.y += 1.2
	}
	if err := r.c.textRight(row.st, right, r.y, r.clean(row.value)); err != nil {
		return err
	}
	for _, l := range labels {
		if err := r.c.text(row.st, totalsLeft, r.y, l); err != nil {
			return err
		}
		r.y += row.st.lineHeight()
	}
	r.y += 1
	return nil
}

// withCurrency writes an amount after its currency: "CHF 1'334.50".
func (r *renderer) withCurrency(a money.Amount) string {
	return a.Currency + "\u00a0" + r.amount(a)
}

func negate(a money.Amount) money.Amount { return money.Amount{Minor: -a.Minor, Currency: a.Currency} }

// terms writes the payment terms, the bank details, the pro-forma and
// credit note sentences and the notes.
func (r *renderer) terms() error {
	d := r.d
	r.y += 3
	var paras []string
	if d.Kind != KindCreditNote && d.AmountDue.Minor > 0 {
		if days := d.IssueDate.DaysUntil(d.DueDate); !d.DueDate.IsZero() && days > 0 {
			paras = append(paras, fmt.Sprintf(r.l.payableWithin, days, FormatDate(d.DueDate, r.lang)))
		} else {
			paras = append(paras, r.l.payableNow)
		}
		if iban := r.iban(); iban != "" && d.QRBill == nil { // the payment part says it
			paras = append(paras, fmt.Sprintf(r.l.bankTransfer, qrbill.FormatIBAN(iban), d.Seller.Name, qrbill.FormatReference(d.Reference)))
		}
	}
	if d.Kind == KindProforma {
		paras = append(paras, r.l.proformaNote)
	}
	if d.Kind == KindCreditNote && d.CreditedInvoice != "" {
		paras = append(paras, fmt.Sprintf(r.l.creditNote, d.CreditedInvoice))
	}
	for _, p := range paras {
		if err := r.paragraph(body, p, 1.5); err != nil {
			return err
		}
	}
	for _, n := range d.Notes {
		if strings.TrimSpace(n) == "" {
			continue
		}
		if err := r.paragraph(note, n, 2.5); err != nil {
			return err
		}
	}
	return nil
}

// iban is the account a bank transfer with the document's reference goes
// to: the QR-IBAN for a QR reference (digits), the IBAN for a creditor
// reference; "" without a reference or account.
func (r *renderer) iban() string {
	ref := strings.ReplaceAll(r.d.Reference, " ", "")
	switch {
	case ref == "":
		return ""
	case strings.HasPrefix(strings.ToUpper(ref), "RF"):
		return r.d.Seller.IBAN
	default:
		return r.d.Seller.QRIBAN
	}
}
