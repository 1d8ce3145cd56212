package scenarios

import (
	"fmt"
	"testing"
)

func TestSmokeTmp(t *testing.T) {
	w, err := Load("testdata/good/design.yaml", LoadOptions{Vars: map[string]string{"IRONCORE_CONFIG": "c", "IRONCORE_IAK": "k"}})
	fmt.Printf("%+v\n%v\n", w, err)
}
