/* SPDX-License-Identifier: Apache-2.0 */
#include "drop.h"

const char *const dp_drop_names[DP_DROP_MAX] = {
#define DP_DROP_NAME_(id, name, text) [DP_DROP_##id] = name,
	DP_DROP_REASONS(DP_DROP_NAME_)
#undef DP_DROP_NAME_
};

const char *const dp_drop_texts[DP_DROP_MAX] = {
#define DP_DROP_TEXT_(id, name, text) [DP_DROP_##id] = text,
	DP_DROP_REASONS(DP_DROP_TEXT_)
#undef DP_DROP_TEXT_
};
