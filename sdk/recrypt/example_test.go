package recrypt_test

import (
	"fmt"
	"log"

	"github.com/ironcorelabs/loadgen/sdk/recrypt"
)

// A document key encrypted to a user, delegated to the user's device with a
// transform key, transformed by the service and decrypted by the device.
func Example() {
	r := recrypt.New(nil) // crypto/rand
	userSK, userPK, err := r.GenerateKeyPair()
	if err != nil {
		log.Fatal(err)
	}
	deviceSK, devicePK, _ := r.GenerateKeyPair()
	signer, _ := r.GenerateEd25519KeyPair()

	pt, _ := r.GeneratePlaintext()
	aesKey := recrypt.DeriveSymmetricKey(pt) // encrypts the document

	edek, err := r.Encrypt(pt, userPK, signer)
	if err != nil {
		log.Fatal(err)
	}
	tk, err := r.GenerateTransformKey(userSK, devicePK, signer)
	if err != nil {
		log.Fatal(err)
	}
	forDevice, err := r.Transform(edek, tk, signer) // done by the service
	if err != nil {
		log.Fatal(err)
	}
	got, err := recrypt.Decrypt(forDevice, deviceSK)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(forDevice.TransformBlocks), recrypt.DeriveSymmetricKey(got) == aesKey)
	// Output: 1 true
}
