/* Unit tests of the Venus command check (docs/venus.md, vendor document examples). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "venus_command.h"

static void check_pass(const char *in, const char *normalised, int cd, enum venus_class cls)
{
	struct venus_command c;
	bool ok = venus_command_parse(in, strlen(in), &c);
	if (!ok)
		print_error("refused %s: %s\n", in, c.error);
	assert_true(ok);
	assert_string_equal(c.payload, normalised);
	assert_int_equal(c.payload_len, strlen(normalised));
	assert_int_equal(c.cd, cd);
	assert_int_equal(c.cls, cls);
	assert_string_equal(c.error, "");
}

static void check_refused(const char *in, const char *error)
{
	struct venus_command c;
	bool ok = venus_command_parse(in, strlen(in), &c);
	if (ok)
		print_error("accepted %s\n", in);
	assert_false(ok);
	assert_string_equal(c.error, error);
	assert_string_equal(c.payload, "");
	assert_int_equal(c.cd, 0);
}

static void test_vendor_reads(void **state)
{
	(void)state;
	check_pass("cd=01", "cd=01", 1, VENUS_READ);
	check_pass("cd=1", "cd=1", 1, VENUS_READ);
	check_pass("cd=19", "cd=19", 19, VENUS_READ);
}

static void test_vendor_working_modes(void **state)
{
	(void)state;
	check_pass("cd=2,md=0", "cd=2,md=0", 2, VENUS_SETTING);
	check_pass("cd=2,md=1", "cd=2,md=1", 2, VENUS_SETTING);
	check_pass("cd=2,md=2", "cd=2,md=2", 2, VENUS_SETTING);
}

static void test_vendor_time_period_is_zero_padded(void **state)
{
	(void)state;
	check_pass("cd=3,md=1,nm=0,bt=8:30,et=20:30,wk=1,vv=123,as=0",
		   "cd=3,md=1,nm=0,bt=08:30,et=20:30,wk=1,vv=123,as=0", 3, VENUS_SETTING);
	check_pass("cd=3,md=1,nm=9,bt=0:00,et=23:59,wk=127,vv=-2500,as=1",
		   "cd=3,md=1,nm=9,bt=00:00,et=23:59,wk=127,vv=-2500,as=1", 3, VENUS_SETTING);
	check_pass("cd=3,md=1,nm=5,bt=23:01,et=9:05,wk=0,vv=2500,as=1",
		   "cd=3,md=1,nm=5,bt=23:01,et=09:05,wk=0,vv=2500,as=1", 3, VENUS_SETTING);
}

static void test_sender_order_and_spelling_are_kept(void **state)
{
	(void)state;
	check_pass("cd=03,as=1,vv=-0,wk=1,et=9:05,bt=7:00,nm=2,md=1",
		   "cd=03,as=1,vv=-0,wk=1,et=09:05,bt=07:00,nm=2,md=1", 3, VENUS_SETTING);
}

/* A value the gate checked as 16 must not reach a battery that might read 016 otherwise. */
static void test_refuses_leading_zeros_but_the_vendors_cd(void **state)
{
	(void)state;
	check_refused("cd=016,cp=800", "cd must be written without leading zeros");
	check_refused("cd=001", "cd must be written without leading zeros");
	check_refused("cd=16,cp=0800", "cp must be written without leading zeros");
	check_refused("cd=3,md=1,nm=0,bt=8:30,et=20:30,wk=001,vv=1,as=0", "wk must be written without leading zeros");
	check_refused("cd=3,md=01,nm=0,bt=8:30,et=20:30,wk=1,vv=1,as=0", "md must be written without leading zeros");
	check_refused("cd=3,md=1,nm=0,bt=8:30,et=20:30,wk=1,vv=-05,as=0", "vv must be written without leading zeros");
	check_refused("cd=2,md=00", "md must be written without leading zeros");
	check_refused("cd=20,le=05,url=abcde", "le must be written without leading zeros");
	/* Positive controls: the vendor's "cd=01", a lone zero, and the same values without zeros. */
	check_pass("cd=01", "cd=01", 1, VENUS_READ);
	check_pass("cd=09,ot=0", "cd=09,ot=0", 9, VENUS_DANGEROUS);
	check_pass("cd=16,cp=800", "cd=16,cp=800", 16, VENUS_SETTING);
	check_pass("cd=2,md=0", "cd=2,md=0", 2, VENUS_SETTING);
	check_pass("cd=20,le=5,url=abcde", "cd=20,le=5,url=abcde", 20, VENUS_DANGEROUS);
}

static void test_vendor_trading_prices(void **state)
{
	(void)state;
	check_pass("cd=3,md=2,id=0,in=40000,on=600000", "cd=3,md=2,id=0,in=40000,on=600000", 3,
		   VENUS_SETTING);
	/* Prices may be negative. */
	check_pass("cd=3,md=2,id=41,in=-120,on=-1", "cd=3,md=2,id=41,in=-120,on=-1", 3,
		   VENUS_SETTING);
}

static void test_vendor_clock(void **state)
{
	(void)state;
	check_pass("cd=4,yy=123,mm=1,rr=2,hh=23,mn=56", "cd=4,yy=123,mm=1,rr=2,hh=23,mn=56", 4,
		   VENUS_SETTING);
	check_pass("cd=4,yy=0,mm=0,rr=1,hh=0,mn=0", "cd=4,yy=0,mm=0,rr=1,hh=0,mn=0", 4,
		   VENUS_SETTING);
	check_pass("cd=4,yy=9999,mm=11,rr=31,hh=23,mn=59", "cd=4,yy=9999,mm=11,rr=31,hh=23,mn=59", 4,
		   VENUS_SETTING);
}

static void test_vendor_dangerous_commands(void **state)
{
	(void)state;
	check_pass("cd=5,rs=1", "cd=5,rs=1", 5, VENUS_DANGEROUS);
	check_pass("cd=5,rs=2", "cd=5,rs=2", 5, VENUS_DANGEROUS);
	check_pass("cd=9,ot=0", "cd=9,ot=0", 9, VENUS_DANGEROUS);
	check_pass("cd=9,ot=1", "cd=9,ot=1", 9, VENUS_DANGEROUS);
	const char *fw = "cd=20,le=33,url=http://example.com/fw.bin?a=b&c=d";
	check_pass(fw, fw, 20, VENUS_DANGEROUS);
}

static void test_vendor_settings(void **state)
{
	(void)state;
	check_pass("cd=11,bc=0", "cd=11,bc=0", 11, VENUS_SETTING);
	check_pass("cd=11,bc=1", "cd=11,bc=1", 11, VENUS_SETTING);
	check_pass("cd=15,vs=800", "cd=15,vs=800", 15, VENUS_SETTING);
	check_pass("cd=15,vs=2500", "cd=15,vs=2500", 15, VENUS_SETTING);
	check_pass("cd=15,vs=0", "cd=15,vs=0", 15, VENUS_SETTING);
	check_pass("cd=15,meter=0", "cd=15,meter=0", 15, VENUS_SETTING);
	check_pass("cd=15,meter=1", "cd=15,meter=1", 15, VENUS_SETTING);
	check_pass("cd=15,meter=2", "cd=15,meter=2", 15, VENUS_SETTING);
	check_pass("cd=15,dchrg=0", "cd=15,dchrg=0", 15, VENUS_SETTING);
	check_pass("cd=15,dchrg=1", "cd=15,dchrg=1", 15, VENUS_SETTING);
	check_pass("cd=16,cp=300", "cd=16,cp=300", 16, VENUS_SETTING);
	check_pass("cd=16,cp=2500", "cd=16,cp=2500", 16, VENUS_SETTING);
}

static void test_refuses_out_of_range(void **state)
{
	(void)state;
	check_refused("cd=16,cp=5000", "cp must be within 300..2500");
	check_refused("cd=16,cp=299", "cp must be within 300..2500");
	check_refused("cd=16,cp=2501", "cp must be within 300..2500");
	check_refused("cd=16,cp=-800", "cp must be within 300..2500");
	check_refused("cd=15,vs=2501", "vs must be within 0..2500");
	check_refused("cd=15,vs=-0", "vs must be within 0..2500");
	check_refused("cd=3,md=1,nm=10,bt=8:30,et=9:30,wk=1,vv=1,as=0", "nm must be within 0..9");
	check_refused("cd=3,md=1,nm=1,bt=8:30,et=9:30,wk=128,vv=1,as=0", "wk must be within 0..127");
	check_refused("cd=3,md=1,nm=1,bt=8:30,et=9:30,wk=1,vv=2501,as=0",
		      "vv must be within -2500..2500");
	check_refused("cd=3,md=1,nm=1,bt=8:30,et=9:30,wk=1,vv=-2501,as=0",
		      "vv must be within -2500..2500");
	check_refused("cd=4,yy=10000,mm=1,rr=2,hh=23,mn=56", "yy must be within 0..9999");
	check_refused("cd=4,yy=123,mm=12,rr=2,hh=23,mn=56", "mm must be within 0..11");
	check_refused("cd=4,yy=123,mm=1,rr=0,hh=23,mn=56", "rr must be within 1..31");
	check_refused("cd=4,yy=123,mm=1,rr=32,hh=23,mn=56", "rr must be within 1..31");
	check_refused("cd=4,yy=123,mm=1,rr=2,hh=24,mn=56", "hh must be within 0..23");
	check_refused("cd=4,yy=123,mm=1,rr=2,hh=23,mn=60", "mn must be within 0..59");
}

/* The commands of docs/venus.md beyond the vendor document: the app's and the firmware's. */
static void test_venus_additions(void **state)
{
	(void)state;
	check_pass("cd=2,md=5,nl=1", "cd=2,md=5,nl=1", 2, VENUS_SETTING); /* AI mode as the app sends it */
	check_refused("cd=2,md=5,nl=2", "nl must be one of 1");
	check_pass("cd=5,rs=3", "cd=5,rs=3", 5, VENUS_DANGEROUS);
	check_pass("cd=10", "cd=10", 10, VENUS_READ);
	check_pass("cd=14", "cd=14", 14, VENUS_READ);
	check_pass("cd=26", "cd=26", 26, VENUS_READ);
	check_pass("cd=42,bms_idx=255", "cd=42,bms_idx=255", 42, VENUS_READ);
	check_refused("cd=42,bms_idx=6", "bms_idx must be one of 1, 2, 3, 4, 5, 255");
	check_pass("cd=18,meter=3,mac=0123456789aB", "cd=18,meter=3,mac=0123456789aB", 18, VENUS_SETTING);
	check_refused("cd=18,meter=3,mac=0123456789", "mac must be 12 hexadecimal digits");
	check_refused("cd=18,meter=12,mac=000000000000", "meter must be within 0..11");
	check_pass("cd=18,dchrg=1", "cd=18,dchrg=1", 18, VENUS_SETTING);
	check_pass("cd=18,seq_check", "cd=18,seq_check", 18, VENUS_SETTING);
	check_refused("cd=18,seq_check=1", "seq_check takes no value");
	check_refused("cd=18,ip=192.168.1.2", "cd=18 needs exactly one of meter, dchrg, seq_check");
	check_refused("cd=18,meter=1,mac=000000000000,ip=1", "unknown key ip for cd=18");
	check_refused("cd=1,seq_check", "unknown key seq_check for cd=1");
	check_pass("cd=30,api=1,port=30000", "cd=30,api=1,port=30000", 30, VENUS_DANGEROUS);
	check_pass("cd=55,adv=1", "cd=55,adv=1", 55, VENUS_DANGEROUS);
	check_pass("cd=56,dod=88", "cd=56,dod=0", 56, VENUS_SETTING); /* the device reads 88 as 0 */
	check_pass("cd=56,dod=30", "cd=56,dod=30", 56, VENUS_SETTING);
	check_pass("cd=56,dod=0", "cd=56,dod=0", 56, VENUS_SETTING);
	check_refused("cd=56,dod=29", "dod must be 0 or within 30..88");
	check_refused("cd=56,dod=89", "dod must be 0 or within 30..88");
	check_pass("cd=43,full_d=1", "cd=43,full_d=1", 43, VENUS_SETTING);
	check_pass("cd=59,led=0", "cd=59,led=0", 59, VENUS_SETTING);
	check_refused("cd=17", "cd=17 is refused for everyone on Venus: its parameters are unknown");
}

static void test_refuses_values_outside_sets(void **state)
{
	(void)state;
	check_refused("cd=2,md=3", "md must be one of 0, 1, 2, 5");
	check_refused("cd=2,md=-1", "md must be one of 0, 1, 2, 5");
	check_refused("cd=2,md=x", "md must be one of 0, 1, 2, 5");
	check_refused("cd=5,rs=0", "rs must be one of 1, 2, 3");
	check_refused("cd=5,rs=4", "rs must be one of 1, 2, 3");
	check_refused("cd=9,ot=2", "ot must be one of 0, 1");
	check_refused("cd=11,bc=2", "bc must be one of 0, 1");
	check_refused("cd=15,meter=3", "meter must be one of 0, 1, 2");
	check_refused("cd=15,dchrg=2", "dchrg must be one of 0, 1");
	check_refused("cd=3,md=1,nm=1,bt=8:30,et=9:30,wk=1,vv=1,as=2", "as must be one of 0, 1");
	check_refused("cd=3,md=0,nm=1", "md must be one of 1, 2");
	check_refused("cd=3,md=3", "md must be one of 1, 2");
}

static void test_refuses_malformed_integers(void **state)
{
	(void)state;
	check_refused("cd=16,cp=+800", "cp must be an integer");
	check_refused("cd=16,cp= 800", "cp must be an integer");
	check_refused("cd=16,cp=800 ", "cp must be an integer");
	check_refused("cd=16,cp=8e2", "cp must be an integer");
	check_refused("cd=16,cp=800.0", "cp must be an integer");
	check_refused("cd=16,cp=-", "cp must be an integer");
	check_refused("cd=16,cp=0x300", "cp must be an integer");
	check_refused("cd=16,cp=00000000000800", "cp must be written without leading zeros");
	check_refused("cd=16,cp=0000000800", "cp must be written without leading zeros");
	check_refused("cd=16,cp=99999999999999999999999999999999999999", "cp has too many digits");
	check_refused("cd=3,md=2,id=1,in=99999999999,on=1", "in has too many digits");
	check_refused("cd=3,md=2,id=1,in=2147483648,on=1", "in must be within -2147483648..2147483647");
	check_refused("cd=16,cp=", "empty value for cp");
	check_refused("cd=", "empty value for cd");
}

static void test_refuses_bad_times(void **state)
{
	(void)state;
	static const char *const malformed[] = {"830", "8:3", "008:30", "8.30", "8:300", ":30",
						"a8:30", "8 :30", "-8:30"};
	static const char *const out_of_range[] = {"24:00", "8:60", "99:99"};
	char cmd[128];
	for (size_t i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
		snprintf(cmd, sizeof(cmd), "cd=3,md=1,nm=1,bt=%s,et=9:30,wk=1,vv=1,as=0",
			 malformed[i]);
		check_refused(cmd, "bt must be a time like 8:30 or 08:30");
	}
	for (size_t i = 0; i < sizeof(out_of_range) / sizeof(out_of_range[0]); i++) {
		snprintf(cmd, sizeof(cmd), "cd=3,md=1,nm=1,bt=%s,et=9:30,wk=1,vv=1,as=0",
			 out_of_range[i]);
		check_refused(cmd, "bt must be within 0:00..23:59");
	}
	check_refused("cd=3,md=1,nm=1,bt=8:30,et=24:00,wk=1,vv=1,as=0",
		      "et must be within 0:00..23:59");
}

static void test_refuses_unknown_cd(void **state)
{
	(void)state;
	check_refused("cd=77", "unknown cd 77");
	check_refused("cd=0", "unknown cd 0");
	check_refused("cd=6", "unknown cd 6");
	check_refused("cd=-1", "unknown cd -1");
	check_refused("cd=123456789012345", "unknown cd 123456789012345");
	check_refused("cd=abc", "cd must be a number");
	check_refused("cd=+1", "cd must be a number");
	check_refused("cd=1 ", "cd must be a number");
}

static void test_refuses_unknown_missing_and_repeated_keys(void **state)
{
	(void)state;
	check_refused("cd=16,cp=800,zz=1", "unknown key zz for cd=16");
	check_refused("cd=16,zz=1", "unknown key zz for cd=16");
	check_refused("cd=16,CP=800", "unknown key CP for cd=16");
	check_refused("cd=1,md=0", "unknown key md for cd=1");
	check_refused("cd=19,x=1", "unknown key x for cd=19");
	check_refused("cd=3,md=2,id=1,in=1,on=1,nm=1", "unknown key nm for cd=3,md=2");
	check_refused("cd=15,vs=800,cp=800", "unknown key cp for cd=15");
	check_refused("cd=16,cp=800,aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=1",
		      "unknown key aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa... for cd=16");
	check_refused("cd=16", "missing key cp");
	check_refused("cd=2", "missing key md");
	check_refused("cd=3", "missing key md");
	check_refused("cd=3,md=1,bt=8:30,et=9:30,wk=1,vv=1,as=0", "missing key nm");
	check_refused("cd=4,yy=123,mm=1,rr=2,hh=23", "missing key mn");
	check_refused("cd=20,url=http://x", "missing key le");
	check_refused("cd=15", "cd=15 needs exactly one of vs, meter, dchrg");
	check_refused("cd=15,vs=800,meter=1", "cd=15 needs exactly one of vs, meter, dchrg");
	check_refused("cd=16,cp=800,cp=900", "repeated key cp");
	check_refused("cd=16,cp=800,cp=800", "repeated key cp");
	check_refused("cd=1,cd=1", "repeated key cd");
	check_refused("md=1,cd=2", "cd must be the first key");
	check_refused("md=1", "missing key cd");
}

static void test_refuses_bad_structure(void **state)
{
	(void)state;
	check_refused("", "empty command");
	check_refused("cd=1,", "trailing comma");
	check_refused("cd=16,cp=800,", "trailing comma");
	check_refused("cd=1,,md=1", "empty pair at offset 5");
	check_refused(",cd=1", "empty pair at offset 0");
	check_refused("cd=16,cp", "malformed pair \"cp\"");
	check_refused("cd=16,=800", "malformed pair \"=800\"");
	check_refused("cd", "malformed pair \"cd\"");
	check_refused("hello world", "malformed pair \"hello world\"");
	check_refused("cd=16,cp800xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
		      "malformed pair \"cp800xxxxxxxxxxxxxxxxxxxxxxxxxxx...\"");
}

static void test_refuses_non_printable_bytes(void **state)
{
	(void)state;
	struct venus_command c;
	assert_false(venus_command_parse("cd=1\n", 5, &c));
	assert_string_equal(c.error, "non-printable byte 0x0a at offset 4");
	assert_false(venus_command_parse("cd=1\0", 5, &c));
	assert_string_equal(c.error, "non-printable byte 0x00 at offset 4");
	assert_false(venus_command_parse("cd=20,le=2,url=\xc3\xa9", 17, &c));
	assert_string_equal(c.error, "non-printable byte 0xc3 at offset 15");
	assert_false(venus_command_parse("cd=1\x7f", 5, &c));
	assert_string_equal(c.error, "non-printable byte 0x7f at offset 4");
}

static void test_length_limit_is_256_bytes(void **state)
{
	(void)state;
	/* cd=20,le=NNN,url=... at exactly 256 bytes passes, one more byte does not. */
	char cmd[300];
	size_t url_len = 238; /* "cd=20,le=238,url=" is 17 bytes: 255 in all */
	int n = snprintf(cmd, sizeof(cmd), "cd=20,le=%zu,url=", url_len);
	memset(cmd + n, 'u', url_len);
	cmd[n + url_len] = '\0';
	assert_int_equal(strlen(cmd), 255);
	check_pass(cmd, cmd, 20, VENUS_DANGEROUS);

	n = snprintf(cmd, sizeof(cmd), "cd=20,le=%zu,url=", url_len + 1);
	memset(cmd + n, 'u', url_len + 1);
	cmd[n + url_len + 1] = '\0';
	assert_int_equal(strlen(cmd), 256);
	check_pass(cmd, cmd, 20, VENUS_DANGEROUS);

	n = snprintf(cmd, sizeof(cmd), "cd=20,le=%zu,url=", url_len + 2);
	memset(cmd + n, 'u', url_len + 2);
	cmd[n + url_len + 2] = '\0';
	assert_int_equal(strlen(cmd), 257);
	check_refused(cmd, "command longer than 256 bytes");
}

static void test_url_length_must_match(void **state)
{
	(void)state;
	check_refused("cd=20,le=5,url=http://a.b/c", "le must be the length of url (12)");
	check_refused("cd=20,le=-12,url=http://a.b/c", "le must be the length of url (12)");
	check_refused("cd=20,le=x,url=http://a.b/c", "le must be the length of url (12)");
	check_pass("cd=20,url=http://a.b/c,le=12", "cd=20,url=http://a.b/c,le=12", 20,
		   VENUS_DANGEROUS);
	check_pass("cd=20,le=18,url=http://a.b/c?x=y z", "cd=20,le=18,url=http://a.b/c?x=y z", 20,
		   VENUS_DANGEROUS);
}

static void test_normalised_output_parses_to_itself(void **state)
{
	(void)state;
	static const char *const inputs[] = {
		"cd=01", "cd=3,md=1,nm=0,bt=8:30,et=20:30,wk=1,vv=123,as=0",
		"cd=3,md=2,id=1,in=2,on=3", "cd=4,yy=123,mm=1,rr=2,hh=23,mn=56", "cd=15,meter=2",
	};
	for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		struct venus_command first, second;
		assert_true(venus_command_parse(inputs[i], strlen(inputs[i]), &first));
		assert_true(venus_command_parse(first.payload, first.payload_len, &second));
		assert_string_equal(first.payload, second.payload);
	}
}

/* Every prefix and every one-byte change of valid commands: no crash, a reason for each refusal. */
static void test_never_crashes_and_always_explains(void **state)
{
	(void)state;
	static const char *const seeds[] = {
		"cd=3,md=1,nm=0,bt=8:30,et=20:30,wk=1,vv=123,as=0",
		"cd=20,le=12,url=http://a.b/c", "cd=15,dchrg=1", "cd=3,md=2,id=1,in=2,on=3",
	};
	static const char replacements[] = {',', '=', '-', ':', '0', '9', 'x', ' ', '\0', '\xff'};
	for (size_t s = 0; s < sizeof(seeds) / sizeof(seeds[0]); s++) {
		size_t len = strlen(seeds[s]);
		for (size_t cut = 0; cut <= len; cut++) {
			for (size_t r = 0; r <= sizeof(replacements); r++) {
				char buf[64];
				memcpy(buf, seeds[s], len);
				if (r < sizeof(replacements) && cut < len)
					buf[cut] = replacements[r];
				size_t n = r == sizeof(replacements) ? cut : len;
				struct venus_command c;
				if (venus_command_parse(buf, n, &c)) {
					assert_true(c.payload_len > 0 && c.payload_len <= VENUS_COMMAND_MAX);
					assert_int_equal(strlen(c.payload), c.payload_len);
				} else {
					assert_true(strlen(c.error) > 0);
				}
			}
		}
	}
	struct venus_command c;
	assert_false(venus_command_parse(NULL, 0, &c));
	assert_string_equal(c.error, "empty command");
	assert_false(venus_command_parse(NULL, 5, &c));
}

static void test_first_generation_types(void **state)
{
	(void)state;
	assert_true(venus_type_is_first_generation("HMG-50"));
	assert_true(venus_type_is_first_generation("HMG-1"));
	assert_true(venus_type_is_first_generation("VNSE3-0"));
	assert_true(venus_type_is_first_generation("VNSA-1"));
	assert_true(venus_type_is_first_generation("VNSD-2"));
	assert_false(venus_type_is_first_generation("VNSE2-0"));
	assert_false(venus_type_is_first_generation("VNS"));
	assert_false(venus_type_is_first_generation("HM"));
	assert_false(venus_type_is_first_generation("hmg-50"));
	assert_false(venus_type_is_first_generation("HMA-1"));
	assert_false(venus_type_is_first_generation(""));
	assert_false(venus_type_is_first_generation(NULL));
}

static void test_class_names(void **state)
{
	(void)state;
	assert_string_equal(venus_class_name(VENUS_READ), "read");
	assert_string_equal(venus_class_name(VENUS_SETTING), "setting");
	assert_string_equal(venus_class_name(VENUS_DANGEROUS), "dangerous");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vendor_reads),
		cmocka_unit_test(test_vendor_working_modes),
		cmocka_unit_test(test_vendor_time_period_is_zero_padded),
		cmocka_unit_test(test_sender_order_and_spelling_are_kept),
		cmocka_unit_test(test_refuses_leading_zeros_but_the_vendors_cd),
		cmocka_unit_test(test_vendor_trading_prices),
		cmocka_unit_test(test_vendor_clock),
		cmocka_unit_test(test_vendor_dangerous_commands),
		cmocka_unit_test(test_vendor_settings),
		cmocka_unit_test(test_refuses_out_of_range),
		cmocka_unit_test(test_refuses_values_outside_sets),
		cmocka_unit_test(test_refuses_malformed_integers),
		cmocka_unit_test(test_refuses_bad_times),
		cmocka_unit_test(test_refuses_unknown_cd),
		cmocka_unit_test(test_refuses_unknown_missing_and_repeated_keys),
		cmocka_unit_test(test_refuses_bad_structure),
		cmocka_unit_test(test_refuses_non_printable_bytes),
		cmocka_unit_test(test_length_limit_is_256_bytes),
		cmocka_unit_test(test_url_length_must_match),
		cmocka_unit_test(test_normalised_output_parses_to_itself),
		cmocka_unit_test(test_never_crashes_and_always_explains),
		cmocka_unit_test(test_first_generation_types),
		cmocka_unit_test(test_venus_additions),
		cmocka_unit_test(test_class_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
