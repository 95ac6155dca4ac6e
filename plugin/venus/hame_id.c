#include "hame_id.h"

#include <openssl/evp.h>
#include <string.h>

#include "eb_text.h"

/* The key every such firmware uses: 16 ASCII bytes (the vendor's app and broker bundle). */
static const unsigned char id_key[16] = {'!', '@', '#', '$', '%', '^', '&', '*',
					 '(', ')', '_', '+', '{', '}', '[', ']'};

static bool decrypt_block(const unsigned char in[16], unsigned char out[16])
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int len = 0;
	bool ok = ctx && EVP_DecryptInit_ex(ctx, EVP_aes_128_ecb(), NULL, id_key, NULL) == 1 &&
		  EVP_CIPHER_CTX_set_padding(ctx, 0) == 1 && EVP_DecryptUpdate(ctx, out, &len, in, 16) == 1 &&
		  len == 16;
	EVP_CIPHER_CTX_free(ctx);
	return ok;
}

bool hame_id_decode(const char *id, char mac[HAME_MAC_LEN + 1])
{
	if (!id || strlen(id) != 32)
		return false;
	unsigned char block[16], plain[16];
	for (size_t i = 0; i < 16; i++) {
		int hi = eb_hex_digit(id[2 * i]), lo = eb_hex_digit(id[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		block[i] = (unsigned char)(hi << 4 | lo);
	}
	/* CBC with a zero IV over one block is the block cipher itself. */
	if (!decrypt_block(block, plain))
		return false;
	for (size_t i = HAME_MAC_LEN; i < 16; i++)
		if (plain[i] != 16 - HAME_MAC_LEN)
			return false;
	for (size_t i = 0; i < HAME_MAC_LEN; i++)
		if (eb_hex_digit((char)plain[i]) < 0)
			return false;
	memcpy(mac, plain, HAME_MAC_LEN);
	mac[HAME_MAC_LEN] = '\0';
	return true;
}
