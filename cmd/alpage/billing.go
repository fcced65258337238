package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/alpage/alpage/internal/app"
	"github.com/alpage/alpage/internal/audit"
	"github.com/alpage/alpage/internal/money"
)

// BankCmd groups the bank commands (BIL-4).
type BankCmd struct {
	Import BankImportCmd `cmd:"" help:"Book the credits of a camt.054 bank file to the pro-forma invoices they pay, by reference."`
}

// BankImportCmd imports a camt.054 file.
type BankImportCmd struct {
	File string `arg:"" type:"existingfile" help:"The camt.054 file from the bank (versions .001.04 to .001.08)."`
	Database
}

// Run books the file and says what it did; importing it twice books nothing
// twice.
func (c *BankImportCmd) Run() error {
	f, err := os.Open(c.File)
	if err != nil {
		return err
	}
	defer f.Close()
	return withApp(c.Database, func(ctx context.Context, a *app.App) error {
		res, err := a.Billing.ImportBankFile(ctx, f, filepath.Base(c.File), audit.Meta{})
		if err != nil {
			return describe(err)
		}
		fmt.Printf("matched %d, unmatched %d, duplicates %d, ignored %d\n", res.Matched, res.Unmatched, res.Duplicates, res.Ignored)
		if res.Unmatched > 0 {
			fmt.Fprintln(os.Stderr, "unmatched credits are kept for staff: their reference matches no open pro-forma invoice")
		}
		return nil
	})
}

// PaymentCmd groups the payment commands (operator).
type PaymentCmd struct {
	Refund PaymentRefundCmd `cmd:"" help:"Refund (part of) a payment to the method that paid it, with a credit note (BIL-9)."`
}

// PaymentRefundCmd refunds a payment.
type PaymentRefundCmd struct {
	ID       string `arg:"" help:"The payment's id."`
	Amount   string `required:"" help:"The amount to refund, e.g. 15.00."`
	Currency string `required:"" enum:"CHF,EUR" help:"The payment's currency."`
	Reason   string `help:"Why, for the audit trail and the credit note."`
	Database
}

// Run refunds and prints the credit note's number.
func (c *PaymentRefundCmd) Run() error {
	amount, err := money.Parse(c.Amount, c.Currency)
	if err != nil {
		return fmt.Errorf("--amount: %w", err)
	}
	return withApp(c.Database, func(ctx context.Context, a *app.App) error {
		res, err := a.Billing.Refund(ctx, c.ID, amount, c.Reason, audit.Meta{})
		if err != nil {
			return describe(err)
		}
		note := ""
		if res.CreditNote != nil {
			note = res.CreditNote.Number
		}
		fmt.Printf("%s %s %s %s\n", res.Status, res.Amount.String(), res.Amount.Currency, note)
		return nil
	})
}
