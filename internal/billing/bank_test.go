package billing_test

import (
	"os"
	"testing"

	"github.com/alpage/alpage/internal/billing"
	"github.com/alpage/alpage/internal/store"
	"github.com/alpage/alpage/internal/testutil"
)

func TestBIL6_ProformaPaidByBankFileIssuesTheInvoiceAndActivates(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		o := b.order("domain", "example.ch", "1y")
		res, err := b.bill.Pay(ctx, b.lr, b.org, billing.PayInput{Items: []billing.PayItem{{OrderID: o.ID}}, Method: "iban",
			IdempotencyKey: "t1"}, meta(b.lr))
		if err != nil {
			t.Fatal(err)
		}
		pf := res.Invoice
		if res.Status != "awaiting_transfer" || pf.Kind != "proforma" || pf.Number != "P2026-000001" || pf.Status != "unpaid" ||
			pf.Reference != "000000000000000020260000018" || pf.Total != chf("16.22") || pf.SellerIBAN != "CH4431999123000889012" {
			t.Fatalf("pro-forma %+v", pf)
		}
		again, err := b.bill.Pay(ctx, b.lr, b.org, billing.PayInput{Items: []billing.PayItem{{OrderID: o.ID}}, Method: "iban",
			IdempotencyKey: "t1"}, meta(b.lr))
		if err != nil || again.Invoice.ID != pf.ID {
			t.Fatalf("replay %+v, %v", again, err)
		}
		pdf, name, err := b.bill.InvoicePDF(ctx, b.lr, b.org, pf.ID)
		if err != nil || name != "proforma-P2026-000001.pdf" || len(pdf) < 1000 {
			t.Fatalf("pro-forma PDF %s: %v", name, err)
		}
		f, err := os.Open("testdata/camt054_proforma.xml")
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		got, err := b.bill.ImportBankFile(ctx, f, "camt054_proforma.xml", meta(""))
		if err != nil || got != (billing.ImportResult{Matched: 1}) {
			t.Fatalf("import %+v, %v", got, err)
		}
		paid, err := b.bill.GetInvoice(ctx, b.lr, b.org, pf.ID)
		if err != nil || paid.Status != "paid" || paid.InvoiceID == "" {
			t.Fatalf("pro-forma after import %+v, %v", paid, err)
		}
		inv, err := b.bill.GetInvoice(ctx, b.lr, b.org, paid.InvoiceID)
		if err != nil || inv.Number != "2026-000001" || inv.Status != "paid" || inv.Total != chf("16.22") ||
			len(inv.Payments) != 1 || inv.Payments[0].Method != "iban" {
			t.Fatalf("invoice %+v, %v", inv, err)
		}
		if st, due := b.productRow(o.Items[0].ProductID); st != "active" || due != "2027-11-22" {
			t.Fatalf("product %s %s", st, due)
		}
		// The same file again books nothing.
		f2, _ := os.Open("testdata/camt054_proforma.xml")
		defer f2.Close()
		got, err = b.bill.ImportBankFile(ctx, f2, "again.xml", meta(""))
		if err != nil || got != (billing.ImportResult{Duplicates: 1}) {
			t.Fatalf("second import %+v, %v", got, err)
		}
		if n := b.count(`SELECT COUNT(*) FROM invoices WHERE kind = 'invoice'`); n != 1 {
			t.Fatalf("%d invoices", n)
		}
		if bal, _ := b.balance(); bal != 0 {
			t.Fatalf("balance %d", bal)
		}
	})
}

func TestBIL4_BankTransfersPartialOverpaidAndUnmatched(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		o := b.order("domain", "example.ch", "1y")
		res, err := b.bill.Pay(ctx, b.lr, b.org, billing.PayInput{Items: []billing.PayItem{{OrderID: o.ID}}, Method: "iban"}, meta(b.lr))
		if err != nil {
			t.Fatal(err)
		}
		ref := res.Invoice.Reference
		// Partial: recorded, the rest still due.
		got, err := b.bill.ImportBankFile(ctx, camt(t, "10.00", ref, "B1"), "b1", meta(""))
		if err != nil || got.Matched != 1 {
			t.Fatalf("%+v, %v", got, err)
		}
		due, _ := b.bill.Due(ctx, b.lr, b.org, false)
		if len(due) != 1 || due[0].Amount != chf("6.22") {
			t.Fatalf("due after a partial transfer %+v", due)
		}
		if st, _ := b.productRow(o.Items[0].ProductID); st != "pending" {
			t.Fatalf("product %s", st)
		}
		// Overpaid: the rest settles it, the surplus goes to the prepaid account.
		if got, err = b.bill.ImportBankFile(ctx, camt(t, "11.22", ref, "B2"), "b2", meta("")); err != nil || got.Matched != 1 {
			t.Fatalf("%+v, %v", got, err)
		}
		pf, _ := b.bill.GetInvoice(ctx, b.lr, b.org, res.Invoice.ID)
		inv, err := b.bill.GetInvoice(ctx, b.lr, b.org, pf.InvoiceID)
		if err != nil || inv.Total != chf("16.22") || len(inv.Payments) != 2 {
			t.Fatalf("invoice %+v, %v", inv, err)
		}
		accts, _ := b.bill.Prepaid(ctx, b.lr, b.org)
		if len(accts) != 1 || accts[0].Balance != chf("5.00") || accts[0].Entries[0].Kind != "overpayment" {
			t.Fatalf("prepaid %+v", accts)
		}
		// Money for a paid pro-forma also goes to the prepaid account; an unknown reference waits for staff.
		if got, err = b.bill.ImportBankFile(ctx, camt(t, "1.00", ref, "B3"), "b3", meta("")); err != nil || got.Matched != 1 {
			t.Fatalf("%+v, %v", got, err)
		}
		got, err = b.bill.ImportBankFile(ctx, camt(t, "7.00", "RF18539007547034", "B4"), "b4", meta(""))
		if err != nil || got != (billing.ImportResult{Unmatched: 1}) {
			t.Fatalf("%+v, %v", got, err)
		}
		if bal, _ := b.balance(); bal != 600 {
			t.Fatalf("balance %d", bal)
		}
		if n := b.count(`SELECT COUNT(*) FROM bank_entries WHERE status = 'unmatched'`); n != 1 {
			t.Fatalf("%d unmatched", n)
		}
		_, err = b.bill.ImportBankFile(ctx, camt(t, "x", ref, "B5"), "b5", meta(""))
		wantCode(t, err, "bank_file_invalid")
	})
}

func TestBIL5_DepositByTransfer(t *testing.T) {
	t.Parallel()
	testutil.ForEachEngine(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		res, err := b.bill.Deposit(ctx, b.lr, b.org, billing.DepositInput{Amount: chf("100.00"), Method: "iban"}, meta(b.lr))
		if err != nil || res.Status != "awaiting_transfer" || res.Invoice.Total != chf("100.00") || res.Invoice.VAT.Minor != 0 {
			t.Fatalf("%+v, %v", res, err)
		}
		if got, err := b.bill.ImportBankFile(ctx, camt(t, "100.00", res.Invoice.Reference, "D1"), "d", meta("")); err != nil || got.Matched != 1 {
			t.Fatalf("%+v, %v", got, err)
		}
		if bal, entries := b.balance(); bal != 10000 || entries != 1 {
			t.Fatalf("balance %d, %d entries", bal, entries)
		}
		if n := b.count(`SELECT COUNT(*) FROM invoices WHERE kind = 'invoice'`); n != 0 {
			t.Fatalf("a deposit issued %d invoices", n)
		}
	})
}
