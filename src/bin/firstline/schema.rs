//! `firstline schema rules|script`: JSON Schemas for editors.
//!
//! Hand-written to match `rules/RULES.md` (`src/rules/mod.rs`,
//! `src/conversation/config.rs`) and
//! `tests/conversations/README.md` (`src/script/format.rs`) exactly; unknown keys are
//! rejected as the compilers reject them.

use serde_json::{json, Value};

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Which {
    /// The rule format (`rules/*.yaml`).
    Rules,
    /// The conversation-script format (`tests/conversations/*.yaml`).
    Script,
}

pub fn run(which: Which) -> u8 {
    let v = match which {
        Which::Rules => rules(),
        Which::Script => script(),
    };
    println!(
        "{}",
        serde_json::to_string_pretty(&v).expect("a schema serializes")
    );
    0
}

fn lang_list(desc: &str) -> Value {
    json!({
        "description": desc,
        "oneOf": [
            { "type": "null" },
            { "type": "array", "items": { "type": "string" } },
            {
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "vi": { "type": ["array", "null"], "items": { "type": "string" } },
                    "en": { "type": ["array", "null"], "items": { "type": "string" } },
                    "any": { "type": ["array", "null"], "items": { "type": "string" } }
                }
            }
        ]
    })
}

/// An intent's `sets:`: a list of concept sets, or such lists per language.
fn sets() -> Value {
    let set = json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["all"],
        "properties": {
            "all": { "type": "array", "items": { "type": "string" }, "description": "Two or more concepts or phrases that must all occur, in any order, anywhere in the message." },
            "support": { "type": ["array", "null"], "items": { "type": "string" }, "description": "Supporting words or phrases: each adds half a word to the set's score." }
        }
    });
    let list = json!({ "type": ["array", "null"], "items": set });
    json!({
        "description": "Order-free concept sets, scored like a phrase of the parts' words.",
        "oneOf": [
            { "type": "null" },
            { "type": "array", "items": set },
            {
                "type": "object",
                "additionalProperties": false,
                "properties": { "vi": list, "en": list, "any": list }
            }
        ]
    })
}

fn texts() -> Value {
    let one_or_many = json!({
        "oneOf": [
            { "type": "string" },
            { "type": "array", "items": { "type": "string" } }
        ]
    });
    json!({
        "type": "object",
        "additionalProperties": false,
        "properties": { "vi": one_or_many.clone(), "en": one_or_many }
    })
}

/// The `conversation:` section, as `src/conversation/config.rs` reads it.
fn conversation() -> Value {
    let trigger = json!({
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "reason": { "type": "string", "description": "The reason code in handoffs and events." },
            "priority": { "type": "string", "enum": ["low", "normal", "high", "urgent"] },
            "after": { "type": "integer", "minimum": 1, "maximum": 255, "description": "For counted triggers (fallbacks, repeats)." },
            "max_orders": { "type": "integer", "minimum": 1, "description": "For enumeration." },
            "enabled": { "type": "boolean" }
        }
    });
    let lexicon_trigger = json!({
        "type": "object",
        "additionalProperties": false,
        "properties": {
            "reason": { "type": "string", "description": "The reason code in handoffs and events." },
            "priority": { "type": "string", "enum": ["low", "normal", "high", "urgent"] },
            "min_severity": { "type": "integer", "minimum": 1, "maximum": 3 },
            "enabled": { "type": "boolean" },
            "action": { "type": "string", "enum": ["handoff", "empathize"], "description": "Hand off at once, or answer with empathy and offer a person as a button (the default for `anger`)." }
        }
    });
    json!({
        "description": "Conversation engine settings (language, slots, verification, agent hours, handoff triggers, order-status replies, system messages). Every key is optional; files merge key by key.",
        "type": ["object", "null"],
        "additionalProperties": false,
        "properties": {
            "language": {
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "default": { "type": "string", "enum": ["vi", "en"] },
                    "min_words_to_switch": { "type": "integer", "minimum": 1 }
                }
            },
            "topic_change_confidence": { "type": "number", "minimum": 0, "maximum": 1 },
            "max_slot_retries": { "type": "integer", "minimum": 0, "maximum": 255 },
            "max_message_bytes": { "type": "integer", "minimum": 16 },
            "transcript_tail": { "type": "integer", "minimum": 0 },
            "answer_second_request": { "type": "boolean", "description": "Answer a message's second request in the same turn (default true)." },
            "small_talk": { "type": "array", "items": { "type": "string" }, "description": "Courtesy intents (greetings, thanks, goodbyes): next to a request in the same message they get no answer of their own." },
            "fallback_intent": { "type": "string" },
            "order_id": {
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "patterns": { "type": "array", "items": { "type": "string" } },
                    "bare_id_intent": { "type": "string" }
                }
            },
            "verification": {
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "enabled": { "type": "boolean" },
                    "method": { "type": "string", "enum": ["phone_last4", "email", "either"] },
                    "max_tries": { "type": "integer", "minimum": 1, "maximum": 255 },
                    "max_failures": { "type": "integer", "minimum": 1, "maximum": 255 },
                    "uniform": { "type": "boolean", "description": "The same replies whether or not an order exists, until it is verified (default true)." }
                }
            },
            "agent_hours": {
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "utc_offset": { "type": "string", "pattern": "^[+-]\\d{2}:\\d{2}$" },
                    "days": { "type": "array", "items": { "type": "string", "enum": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] } },
                    "open": { "type": "string", "pattern": "^\\d{2}:\\d{2}$" },
                    "close": { "type": "string", "pattern": "^\\d{2}:\\d{2}$" },
                    "label": texts()
                }
            },
            "handoff": {
                "type": "object",
                "propertyNames": { "enum": ["customer_request", "intent", "fallbacks", "repeats", "lookup_failed", "verification_failed", "enumeration", "invalid_input"] },
                "additionalProperties": trigger.clone()
            },
            "lexicons": {
                "description": "Lexicon hits that hand the conversation to a human, by lexicon name.",
                "type": "object",
                "additionalProperties": lexicon_trigger
            },
            "slots": {
                "type": "object",
                "additionalProperties": {
                    "type": "object",
                    "additionalProperties": false,
                    "properties": {
                        "entity": { "type": "string" },
                        "prompt": texts(),
                        "invalid": texts()
                    }
                }
            },
            "order_status": {
                "type": "object",
                "propertyNames": { "enum": ["pending", "confirmed", "packed", "shipped", "in_transit", "delivered", "cancelled", "returned", "refunded", "not_found"] },
                "additionalProperties": texts()
            },
            "messages": {
                "description": "The bot's own texts, by message name (rules/CONVERSATION.md lists what each says).",
                "type": "object",
                "propertyNames": { "enum": ["fallback", "ask_order_id", "invalid_order_id", "invalid_slot", "verify_phone", "verify_email", "verify_either", "verify_mismatch", "verify_failed", "lookup_error", "enumeration", "handoff", "handoff_apology", "handoff_offline", "contact_thanks", "contact_missing", "waiting_for_agent", "slot_failed", "clarify", "empathy", "offer_agent", "verify_no_match", "verify_four_digits", "several_orders", "next_order"] },
                "additionalProperties": texts()
            },
            "intent_labels": {
                "description": "A short label per language for intents offered in \"A or B?\" questions.",
                "type": "object",
                "additionalProperties": {
                    "type": "object",
                    "additionalProperties": false,
                    "properties": {
                        "vi": { "type": "string" },
                        "en": { "type": "string" }
                    }
                }
            }
        }
    })
}

/// The rule format, version 1.
pub fn rules() -> Value {
    let string_map = json!({ "type": "object", "additionalProperties": { "type": "string" } });
    json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": "https://github.com/firstline/firstline/schema/rules-v1.json",
        "title": "firstline rule file (version 1)",
        "description": "Intents, concepts, entities, lexicons and conversation settings for a firstline bot. See rules/RULES.md.",
        "type": "object",
        "additionalProperties": false,
        "required": ["version"],
        "properties": {
            "version": { "const": 1, "description": "Format version; only 1 exists." },
            "settings": {
                "description": "Values for {placeholders} in replies (shop name, hotline...). Later files override earlier ones.",
                "type": "object",
                "additionalProperties": { "type": "string" }
            },
            "abbreviations": {
                "description": "Extra teencode / abbreviations, per language.",
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "vi": string_map.clone(),
                    "en": string_map.clone(),
                    "any": string_map
                }
            },
            "concepts": {
                "description": "Reusable synonym groups, used in phrases as @name.",
                "type": "object",
                "propertyNames": { "pattern": "^[a-z0-9_]+$" },
                "additionalProperties": lang_list("Synonyms: a list, or lists keyed vi/en/any.")
            },
            "entities": {
                "description": "Values extracted by regex, with a normaliser.",
                "type": "object",
                "propertyNames": { "pattern": "^[a-z0-9_]+$" },
                "additionalProperties": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["pattern"],
                    "properties": {
                        "pattern": { "type": "string", "description": "Regex over the cleaned message; the value is group `value`, else group 1, else the match." },
                        "normalize": {
                            "type": ["string", "null"],
                            "enum": ["order_id", "phone", "email", "money", "upper", "lower", "digits", "none", null]
                        }
                    }
                }
            },
            "intents": {
                "type": "array",
                "items": { "$ref": "#/definitions/intent" }
            },
            "lexicons": {
                "description": "Named term lists (anger, profanity, threats...) reported on every classification.",
                "type": "object",
                "additionalProperties": {
                    "type": "object",
                    "additionalProperties": false,
                    "properties": {
                        "severity": { "type": ["integer", "null"], "minimum": 1, "maximum": 3 },
                        "terms": lang_list("Terms, in phrase syntax.")
                    }
                }
            },
            "matching": {
                "description": "Thresholds of the matcher (later files override earlier ones).",
                "type": "object",
                "additionalProperties": false,
                "properties": {
                    "threshold": { "type": "number", "minimum": 0, "maximum": 1, "description": "Below this confidence a message gets no intent (0.38)." },
                    "similarity_threshold": { "type": "number", "minimum": 0, "maximum": 2, "description": "Example similarity an intent needs to answer when the phrases leave doubt (0.18; above 1: off)." },
                    "doubt": { "type": "number", "minimum": 0, "maximum": 1, "description": "Phrase confidence under which the examples are consulted (0.6)." },
                    "ambiguity_margin": { "type": "number", "minimum": 0, "maximum": 1, "description": "Confidence gap under which the best two intents are ambiguous (0.15)." }
                }
            },
            "examples": {
                "description": "Example messages per intent id (`none`: off-topic), for the example similarity; data, not compile-time checks.",
                "type": "object",
                "additionalProperties": lang_list("Messages: a list, or lists keyed vi/en/any.")
            },
            "conversation": conversation()
        },
        "definitions": {
            "intent": {
                "type": "object",
                "additionalProperties": false,
                "required": ["id"],
                "properties": {
                    "id": { "type": "string", "pattern": "^[a-z0-9_]+$" },
                    "description": { "type": ["string", "null"] },
                    "weight": { "type": ["number", "null"], "minimum": 0.1, "maximum": 10 },
                    "priority": { "type": ["integer", "null"] },
                    "phrases": lang_list("Phrases: words, (a|b), [optional], * (gap of 0-3 words), ** (any gap), @concept."),
                    "sets": sets(),
                    "patterns": { "type": "array", "items": { "type": "string" }, "description": "Regexes over the normalized and the folded message." },
                    "exclude": lang_list("Evidence against this intent: each matching phrase multiplies its score by a penalty."),
                    "veto": lang_list("Hard exclusion scoped to the words it touches: a match removes this intent's phrase matches it overlaps or that start at most 2 words after it."),
                    "examples": lang_list("Messages that must classify to this intent (checked at compile time)."),
                    "counter_examples": lang_list("Messages that must not classify to this intent."),
                    "replies": lang_list("Reply variants; {placeholders} are filled from settings."),
                    "quick_replies": lang_list("Quick-reply buttons."),
                    "slots": { "type": "array", "items": { "type": "string" } },
                    "action": { "type": ["string", "null"], "enum": ["reply", "lookup_order", "handoff", null] },
                    "handoff": { "type": ["boolean", "null"] }
                }
            }
        }
    })
}

/// The conversation-script format.
pub fn script() -> Value {
    let one_or_many = json!({
        "oneOf": [
            { "type": "string" },
            { "type": "array", "items": { "type": "string" } }
        ]
    });
    json!({
        "$schema": "http://json-schema.org/draft-07/schema#",
        "$id": "https://github.com/firstline/firstline/schema/script-v1.json",
        "title": "firstline conversation scripts",
        "description": "One script, or a list of scripts. See tests/conversations/README.md.",
        "oneOf": [
            { "$ref": "#/definitions/script" },
            { "type": "array", "items": { "$ref": "#/definitions/script" } }
        ],
        "definitions": {
            "script": {
                "type": "object",
                "additionalProperties": false,
                "required": ["name"],
                "properties": {
                    "name": { "type": "string", "description": "Shown in test output; unique names make failures easy to find." },
                    "description": { "type": "string" },
                    "settings": {
                        "description": "Shop settings that override the rules' settings for this script.",
                        "type": "object",
                        "additionalProperties": { "type": "string" }
                    },
                    "orders": {
                        "description": "The orders the mocked order store holds.",
                        "type": "array",
                        "items": { "$ref": "#/definitions/order" }
                    },
                    "now": { "type": "integer", "description": "The time of the first turn, unix seconds (default 2026-11-25 10:00 +07:00, inside agent hours)." },
                    "session": { "type": "string", "description": "Session id (default: the script name)." },
                    "turns": { "type": "array", "items": { "$ref": "#/definitions/turn" } },
                    "intent": { "type": "string", "description": "With paraphrases: the intent every paraphrase must classify to." },
                    "paraphrases": { "type": "array", "items": { "type": "string" } },
                    "paraphrases_file": { "type": "string", "description": "A text file (relative to this script) with one paraphrase per line; blank lines and # comments are skipped." }
                }
            },
            "order": {
                "type": "object",
                "additionalProperties": false,
                "required": ["id"],
                "properties": {
                    "id": { "type": "string" },
                    "status": {
                        "type": "string",
                        "enum": ["pending", "confirmed", "packed", "shipped", "in_transit", "delivered", "cancelled", "returned", "refunded"]
                    },
                    "carrier": { "type": "string" },
                    "tracking": { "type": "string" },
                    "eta": { "type": "string" },
                    "phone": { "type": "string" },
                    "email": { "type": "string" },
                    "error": { "type": "string", "enum": ["timeout", "unavailable"], "description": "Make the lookup of this id fail." }
                }
            },
            "turn": {
                "type": "object",
                "additionalProperties": false,
                "required": ["say"],
                "properties": {
                    "say": { "type": "string", "description": "What the customer types." },
                    "after": { "type": "integer", "minimum": 0, "description": "Seconds since the previous turn (default 30)." },
                    "intent": { "type": "string", "description": "The intent recognised for this message." },
                    "also": { "type": "string", "description": "The message's second request, answered in the same turn or left to the agent (the event's `also`); `none`: the message has none." },
                    "understood": { "type": "boolean", "description": "false: the bot did not understand (a fallback)." },
                    "reply": { "type": "string", "description": "The reply, exactly." },
                    "contains": one_or_many.clone(),
                    "not_contains": one_or_many,
                    "matches": { "type": "string", "description": "A regex the reply must match." },
                    "asks_for": { "type": "string", "description": "What the bot waits for after this turn: a slot (order_id), phone or email (an ownership check, or a contact outside agent hours), contact, verification, choice." },
                    "lookup": { "type": "string", "description": "The order id the bot asks the store to look up." },
                    "handoff": { "type": ["string", "boolean"], "description": "The handoff reason code, `any` (handed off for any reason) or `false` (not handed off)." },
                    "verified": { "type": "boolean", "description": "Whether the order the turn is about has been proven the customer's." },
                    "reveals": { "type": "boolean", "description": "false: the reply shows no order detail (status, carrier, tracking, delivery date); true: it does." },
                    "lang": { "type": "string", "enum": ["vi", "en"] }
                }
            }
        }
    })
}
