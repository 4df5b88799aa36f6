"""Plain-English words for the contract's answers, used by pages, emails and the back-office alike."""

from __future__ import annotations

# The triage routes (portal.triage.decision.ROUTES), as the back-office names them everywhere:
# the queue's tabs, the re-route question, the records' sections and the CSV exports.
ROUTE_LABELS = {
    "mediation": "Mediation",
    "target_hardening": "Target hardening",
    "tasking": "Tasking",
}

KIND_LABELS = {
    "asb": "anti-social behaviour",
    "neighbour_dispute": "a neighbour dispute",
    "safety_concern": "a safety concern",
}

KIND_TITLES = {
    "asb": "Anti-social behaviour",
    "neighbour_dispute": "Neighbour dispute",
    "safety_concern": "Safety concern",
}

# The description, named as each kind asks for it: a safety concern asks what has happened to them.
DESCRIPTION_TOPICS = {
    "asb": "What is happening",
    "neighbour_dispute": "What is happening",
    "safety_concern": "What has happened",
}

STARTED_LABELS = {
    "today": "Today",
    "this_week": "This week",
    "this_month": "This month",
    "one_to_six_months": "Between 1 and 6 months ago",
    "over_six_months": "More than 6 months ago",
}

FREQUENCY_LABELS = {
    "once": "It has happened once",
    "occasionally": "Now and then",
    "weekly": "Every week",
    "daily": "Every day, or most days",
}

PREVIOUS_REPORTS_LABELS = {
    "none": "No",
    "once": "Yes, once",
    "two_or_more": "Yes, 2 times or more",
}

HARM_LABELS = {
    "feel_unsafe": "I feel unsafe at home or in the area",
    "health_affected": "It is affecting my physical or mental health",
    "targeted": "I think I am being deliberately targeted",
    "hate_motivated": (
        "I think it is happening because of disability, race, religion or belief, "
        "sexual orientation or transgender identity"
    ),
    "violence_or_threats": "Someone has been hurt or threatened",
    "vulnerable_person": (
        "A child, an older person, or someone with a disability or long-term illness is affected"
    ),
    "considering_moving": "I am thinking about moving home because of it",
    "daily_life_affected": "It is affecting my sleep, work or daily life",
}

TYPE_LABELS = {
    "asb": {
        "noise": "Noise",
        "rowdy_behaviour": "Rowdy or inconsiderate behaviour",
        "vehicle_nuisance": "Vehicle nuisance, such as off-road bikes or car meets",
        "drugs": "Drug taking or dealing",
        "intimidation": "Intimidation or harassment",
        "vandalism_graffiti": "Vandalism or graffiti",
        "littering_fly_tipping": "Littering or fly-tipping",
        "deliberate_fires": "Deliberate fires",
        "street_drinking": "Street drinking",
        "begging": "Begging",
        "animal_nuisance": "Animal nuisance, such as barking or fouling",
        "other": "Something else",
    },
    "neighbour_dispute": {
        "noise": "Noise",
        "boundary": "A boundary, fence or wall",
        "parking": "Parking",
        "pets": "Pets",
        "children": "Children's behaviour",
        "rubbish": "Rubbish or bins",
        "hedges_trees": "Hedges or trees",
        "harassment": "Harassment or abuse",
        "other": "Something else",
    },
    "safety_concern": {
        "burglary_victim": "My home has been burgled",
        "other_crime_victim": "I have been the victim of another crime",
        "domestic_abuse": "Domestic abuse",
        "hate_crime_victim": "I have been the victim of a hate crime",
        "repeat_asb_victim": "Anti-social behaviour keeps being aimed at me or my home",
        "fear_of_crime": "I am afraid a crime will happen to me",
    },
}

DETAIL_QUESTIONS = {
    "perpetrators_known": "Do you know who is responsible?",
    "perpetrator_is_neighbour": "Is the person responsible one of your neighbours?",
    "willing_to_mediate": "Would you be willing to try mediation?",
    "spoken_to_neighbour": "Have you spoken to your neighbour about it?",
    "neighbour_address_known": "Do you know your neighbour's address?",
    "legal_action_underway": "Is anyone taking legal action about this?",
    "perpetrator_lives_at_address": (
        "Does the person who is harming you, or who you are afraid of, live at your address?"
    ),
}

# The GOV.UK error for an unanswered yes/no question: "Select yes if ...".
DETAIL_ERRORS = {
    "perpetrators_known": "Select yes if you know who is responsible",
    "perpetrator_is_neighbour": "Select yes if the person responsible is one of your neighbours",
    "willing_to_mediate": "Select yes if you would be willing to try mediation",
    "spoken_to_neighbour": "Select yes if you have spoken to your neighbour about it",
    "neighbour_address_known": "Select yes if you know your neighbour's address",
    "legal_action_underway": "Select yes if anyone is taking legal action about this",
    "perpetrator_lives_at_address": "Select yes if the person lives at your address",
}


def yes_no(value: bool) -> str:
    return "Yes" if value else "No"


# What the officers' queue says of a case beside its flags, and its filter's name for them.
QUEUE_MARKS = {
    "new_incident": "New incident",
    "raised_safeguarding": "Safeguarding (a later assessment)",
}

# Where an applicant for an ASB Case Review says they reported it, besides this portal
# (portal.triage.case_review.AGENCIES), as the application's questions offer the choice.
AGENCY_LABELS = {
    "council": "The council, by phone, letter or an officer",
    "police": "The police",
    "landlord": "A landlord or housing association",
    "other": "Another agency",
}
