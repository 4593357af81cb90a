/* cw_test.h -- what every cmocka test file includes, in the order cmocka needs. */
#ifndef CW_TEST_H
#define CW_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#endif
