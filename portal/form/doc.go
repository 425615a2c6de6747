// Package form turns the portal's posted forms into the services' inputs: one parser per form,
// named after it. A parser only reads and converts what was typed; a value it cannot convert
// (a number that is not one) is an INVALID field error on the input's name, the same path the
// service uses, so the page shows both kinds of error the same way beside their inputs.
package form
