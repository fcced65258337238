// Package catalog holds the operator's catalog (SPEC PRD-1): the product
// types it sells, their offers (a plan, or a top-level domain for domain
// names), the prices of each offer per billing period and per currency, the
// dated VAT rates, and the seller printed on invoices.
//
// Operators write the catalog in a file, YAML or JSON, and load it with
// `alpage catalog import FILE`; every import is validated as a whole, with
// every problem listed by its place in the file, and stored as a new
// version: orders and invoices copy the prices they use, so a new catalog
// never changes what was already ordered. The demo ships
// internal/demo/catalog.yaml, which documents the format by example:
//
//	currencies: [CHF, EUR]
//	time_zone: Europe/Zurich          # due dates are calendar dates there
//	seller: {name: …, street: …, building_number: …, postal_code: …, town: …,
//	         country: CH, vat_number: CHE-…, iban: …, qr_iban: …, email: …,
//	         payment_terms_days: 30}
//	vat:                              # dated rates, percent as a decimal string
//	  - {from: 2024-01-01, rate: "8.1"}
//	types:
//	  - type: domain
//	    name: {en: Domain name, fr: Nom de domaine, …}
//	    block_after_days: 1           # unpaid: blocked this many days after the due date (BIL-7)
//	    terminate_after_days: 30      # and terminated after this many
//	    confirm_termination: true     # PRD-4: a termination needs the e-mailed link
//	    offers:
//	      - plan: ".ch"               # domains: the top-level domain
//	        name: {en: .ch domain}
//	        prices:                   # period: {currency: net price}
//	          1y: {CHF: "15.00", EUR: "16.00"}
//	          10y: {CHF: "150.00", EUR: "160.00"}
//
// Periods are "1m" to "12m" and "1y" to "10y"; every period gives a price
// in every currency of the catalog, so that an organization can order in
// any of them. Prices are net of VAT.
package catalog
