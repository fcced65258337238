package billing

import (
	"context"
	"database/sql"

	"github.com/alpage/alpage/internal/catalog"
)

// startTransfer answers a bank-transfer payment in tx: a pro-forma invoice
// (its own numbering) with a QR reference when the seller has a QR-IBAN, an
// SCOR reference otherwise; the items wait for the transfer. An older
// unpaid pro-forma for the same items is voided (what it received goes to
// the prepaid account). A selection
// that is one unpaid pro-forma (or issued invoice) answers it as it is. The
// attempt is recorded completed so that a repeated request finds it.
func (s *Service) startTransfer(ctx context.Context, tx *sql.Tx, a *attempt, cat catalog.Catalog, userID string) error {
	a.Status, a.Amount = "completed", a.Sel.due()
	switch {
	case a.Sel.InvoiceID != "":
		a.InvoiceID = a.Sel.InvoiceID
	case len(a.Sel.Proformas) == 1 && onlyProformaLines(ctx, tx, a.Sel):
		a.InvoiceID = a.Sel.Proformas[0]
	case len(a.Sel.Proformas) > 0:
		return ErrInvoicePayAlone.With("A pro-forma invoice is paid by transfer on its own: select it alone, or pay the selection by card.")
	default:
		// The newest pro-forma for an item replaces the older ones.
		var products []string
		for _, l := range a.Sel.Lines {
			if l.ProductID != "" && l.OrderID == "" {
				products = append(products, l.ProductID)
			}
		}
		if err := s.voidProformasFor(ctx, tx, a.OrgID, a.Sel.Orders, products, nil); err != nil {
			return err
		}
		inv, err := s.issue(ctx, tx, issueSpec{orgID: a.OrgID, userID: userID, kind: KindProforma, status: "unpaid",
			currency: a.Currency, language: a.Sel.Language, lines: a.Sel.Lines, cat: cat, today: s.today(cat)})
		if err != nil {
			return err
		}
		a.InvoiceID = inv.ID
		if err := s.noticeInvoice(ctx, tx, inv.Invoice); err != nil {
			return err
		}
	}
	return s.insertAttempt(ctx, tx, *a, userID)
}

// onlyProformaLines reports whether every line of the selection comes from
// its one pro-forma (no other item was selected with it).
func onlyProformaLines(ctx context.Context, tx *sql.Tx, sel selection) bool {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM invoice_lines WHERE invoice_id = $1`, sel.Proformas[0]).Scan(&n); err != nil {
		return false
	}
	return n == len(sel.Lines)
}
