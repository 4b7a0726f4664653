// Code generated from kg/ by `go test ./web -run TestVocabulary -update`. DO NOT EDIT.
// The vocabularies of the graph, with their descriptions, for the element's
// drawing and legend; web/vocabulary_test.go fails when this copy differs.

export const KIND_INFO = [
  {
    "name": "STATE",
    "description": "A country acting as a state (the United States, China, Russia)."
  },
  {
    "name": "AGENCY",
    "description": "A government body: ministry, department, regulator, military unit, state media outlet."
  },
  {
    "name": "ORGANIZATION",
    "description": "A non-state body that is not a single firm: business groups, international bodies, loosely defined groups of actors."
  },
  {
    "name": "FIRM",
    "description": "A company."
  },
  {
    "name": "PERSON",
    "description": "A person, named or identified by title."
  },
  {
    "name": "PRODUCT",
    "description": "A product or service made by a firm."
  },
  {
    "name": "LAW",
    "description": "A law, regulation or draft, or one article of one (PART_OF its law)."
  },
  {
    "name": "AGREEMENT",
    "description": "An agreement, dialogue, working group or mechanism between parties."
  },
  {
    "name": "EVENT",
    "description": "Something that happened: an attack, an announcement, a decision, a trend."
  },
  {
    "name": "REPORT",
    "description": "A document: study, report, book, article, letter, statement (the brief itself is one)."
  },
  {
    "name": "RECOMMENDATION",
    "description": "One of the brief's recommendations, linked to whom and what it addresses."
  }
];

export const RELATION_TYPE_INFO = [
  {
    "name": "PART_OF",
    "description": "part → whole: a unit of an agency, an article of a law, a member of a group, a session of a dialogue."
  },
  {
    "name": "BASED_IN",
    "description": "body → state where it is based or to which it belongs."
  },
  {
    "name": "LEADS",
    "description": "person → body they head (president, chairman, CEO, spokesman speaking for it)."
  },
  {
    "name": "WORKS_FOR",
    "description": "person → body they work for, in a role below its head."
  },
  {
    "name": "OWNS",
    "description": "owner → what it owns or runs."
  },
  {
    "name": "MAKES",
    "description": "firm → product it makes."
  },
  {
    "name": "DRAFT_OF",
    "description": "draft → the law or regulation it became or belongs to."
  },
  {
    "name": "CITES",
    "description": "document → document it cites as a source."
  },
  {
    "name": "IN_FORCE_IN",
    "description": "law, regulation or agreement → state where it is in force: start when it took effect, end when it was suspended or lapsed."
  },
  {
    "name": "TARGETED",
    "description": "attacker, attack or measure → whom it is aimed at."
  },
  {
    "name": "ATTRIBUTED_TO",
    "description": "act → actor held responsible (claimedBy says who attributes it)."
  },
  {
    "name": "ACCUSED",
    "description": "accuser → the accused (or the act it accuses them of)."
  },
  {
    "name": "DENIED",
    "description": "denier → accusation or act it denies."
  },
  {
    "name": "INDICTED",
    "description": "prosecutor → the indicted."
  },
  {
    "name": "INVESTIGATED",
    "description": "investigator → the investigated."
  },
  {
    "name": "FINED",
    "description": "regulator → the fined."
  },
  {
    "name": "BANNED",
    "description": "authority → what it banned."
  },
  {
    "name": "BLOCKED",
    "description": "authority → what it blocked."
  },
  {
    "name": "REVIEWED",
    "description": "reviewing authority → what it put under review."
  },
  {
    "name": "DEMANDED",
    "description": "actor → who it demanded something of (the description says what)."
  },
  {
    "name": "ENACTED",
    "description": "authority → law, regulation or policy it adopted, approved or issued."
  },
  {
    "name": "SUSPENDED",
    "description": "actor → what it suspended or halted."
  },
  {
    "name": "SIGNED",
    "description": "party → agreement or letter it signed or reached."
  },
  {
    "name": "CRITICIZED",
    "description": "critic → what it criticized, opposed or called a threat."
  },
  {
    "name": "PROTESTED",
    "description": "protester → what it protested."
  },
  {
    "name": "AUTHORED",
    "description": "author → document."
  },
  {
    "name": "PUBLISHED",
    "description": "publisher → document."
  },
  {
    "name": "REPORTED",
    "description": "reporter or document → what it reported, revealed or found."
  },
  {
    "name": "PARTICIPATED_IN",
    "description": "participant → event, agreement, dialogue or review it took part in."
  },
  {
    "name": "AFFECTED",
    "description": "event or policy → who bore its effect."
  },
  {
    "name": "ADDRESSED_TO",
    "description": "recommendation, letter or communication → the actor it asks to act or is sent to."
  },
  {
    "name": "CONCERNS",
    "description": "recommendation or document → what it is about."
  },
  {
    "name": "CAUSED",
    "description": "cause → effect: the source states the effect followed from the cause."
  },
  {
    "name": "CONTRIBUTED_TO",
    "description": "cause → effect: one of several factors, or a weaker link the source draws."
  },
  {
    "name": "PROMPTED",
    "description": "stimulus → response: an act done in answer to another."
  }
];

export const CONFIDENCE_INFO = [
  {
    "name": "CONFIRMED",
    "description": "Stated as fact by the source."
  },
  {
    "name": "REPORTED",
    "description": "The source reports another's finding or statement (\"according to\", \"revealed\")."
  },
  {
    "name": "ALLEGED",
    "description": "An accusation or suspicion (\"alleged\", \"accused\", \"suspected\")."
  },
  {
    "name": "DISPUTED",
    "description": "Asserted by one party and denied by another."
  },
  {
    "name": "INFERRED",
    "description": "The source's own inference about what is or was (\"reasonable to believe\", \"seem\")."
  },
  {
    "name": "POSSIBLE",
    "description": "What the source says may, could or will happen, not what has happened: a possibility it raises, a risk it warns of, a result it expects (\"may\", \"could lead to\", \"will eventually\")."
  }
];
