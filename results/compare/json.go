package compare

import (
	"encoding/json"
	"fmt"
	"io"
)

// WriteJSON writes the comparisons as one indented JSON document:
// {"comparisons": [...]}. Unknown figures are null.
func WriteJSON(w io.Writer, cs []*Comparison) error {
	b, err := json.MarshalIndent(struct {
		Comparisons []*Comparison `json:"comparisons"`
	}{cs}, "", "  ")
	if err != nil {
		return fmt.Errorf("compare: %w", err)
	}
	_, err = w.Write(append(b, '\n'))
	return err
}
