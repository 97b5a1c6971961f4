"""Matching a file's columns to our fields, from the exports of common systems."""

from contacts.importing.mapping import auto_map

GOOGLE_CONTACTS = [
    "First Name", "Middle Name", "Last Name", "Phonetic First Name", "Name Prefix", "Nickname", "File As",
    "Organization Name", "Organization Title", "Birthday", "Notes", "Labels", "E-mail 1 - Label",
    "E-mail 1 - Value", "E-mail 2 - Label", "E-mail 2 - Value", "Phone 1 - Label", "Phone 1 - Value",
    "Phone 2 - Label", "Phone 2 - Value", "Address 1 - Label", "Address 1 - Street", "Address 1 - City",
    "Address 1 - Region", "Address 1 - Postal Code", "Address 1 - Country",
]  # fmt: skip
OUTLOOK = [
    "Title", "First Name", "Middle Name", "Last Name", "Suffix", "Company", "Department", "Job Title",
    "Business Street", "Business City", "Business State", "Business Postal Code", "Business Country/Region",
    "Home Street", "Home City", "Home State", "Home Postal Code", "Home Country/Region", "Business Phone",
    "Home Phone", "Mobile Phone", "Other Phone", "E-mail Address", "E-mail 2 Address", "E-mail 3 Address",
    "Birthday", "Notes",
]  # fmt: skip


def mapped(headers, mapping):
    return {header: key for header, key in zip(headers, mapping, strict=True) if key}


def test_google_contacts_export_is_matched():
    result = mapped(GOOGLE_CONTACTS, auto_map(GOOGLE_CONTACTS))
    assert result == {
        "First Name": "first_name",
        "Middle Name": "middle_name",
        "Last Name": "last_name",
        "Nickname": "preferred_name",
        "Organization Name": "organization_name",
        "Birthday": "date_of_birth",
        "Notes": "notes",
        "E-mail 1 - Label": "email_label",
        "E-mail 1 - Value": "email",
        "E-mail 2 - Label": "email_label",
        "E-mail 2 - Value": "email",
        "Phone 1 - Label": "phone_label",
        "Phone 1 - Value": "phone",
        "Phone 2 - Label": "phone_label",
        "Phone 2 - Value": "phone",
        "Address 1 - Street": "address_line1",
        "Address 1 - City": "city",
        "Address 1 - Region": "state",
        "Address 1 - Postal Code": "postal_code",
        "Address 1 - Country": "country",
    }


def test_outlook_export_is_matched_and_the_second_address_is_ignored():
    result = mapped(OUTLOOK, auto_map(OUTLOOK))
    assert result["Business Street"] == "address_line1"
    assert "Home Street" not in result  # one address per contact: the first wins, the rest is ignored visibly
    assert result["Company"] == "organization_name"
    assert result["Mobile Phone"] == "phone_mobile"
    assert result["Home Phone"] == "phone_home"
    assert result["Business Phone"] == "phone_work"
    assert result["Other Phone"] == "phone"
    assert result["E-mail Address"] == result["E-mail 2 Address"] == result["E-mail 3 Address"] == "email"
    assert result["Birthday"] == "date_of_birth"
    assert "Title" not in result and "Job Title" not in result


def test_clio_and_mycase_exports_are_matched():
    clio = ["Clio Contact ID", "First Name", "Last Name", "Primary Email Address", "Primary Phone Number",
            "Primary Address Street", "Primary Address City", "Primary Address State", "Primary Address Postal Code",
            "Date of Birth", "Matter Number"]  # fmt: skip
    assert mapped(clio, auto_map(clio)) == {
        "Clio Contact ID": "external_id",
        "First Name": "first_name",
        "Last Name": "last_name",
        "Primary Email Address": "email",
        "Primary Phone Number": "phone",
        "Primary Address Street": "address_line1",
        "Primary Address City": "city",
        "Primary Address State": "state",
        "Primary Address Postal Code": "postal_code",
        "Date of Birth": "date_of_birth",
        "Matter Number": "case_number",
    }
    mycase = ["MyCase ID", "First Name", "Last Name", "Email", "Cell Phone", "Work Phone", "Address 1", "Address 2",
              "City", "State", "Zip Code", "Birthdate"]  # fmt: skip
    assert mapped(mycase, auto_map(mycase)) == {
        "MyCase ID": "external_id",
        "First Name": "first_name",
        "Last Name": "last_name",
        "Email": "email",
        "Cell Phone": "phone_mobile",
        "Work Phone": "phone_work",
        "Address 1": "address_line1",
        "Address 2": "address_line2",
        "City": "city",
        "State": "state",
        "Zip Code": "postal_code",
        "Birthdate": "date_of_birth",
    }


def test_a_saved_mapping_wins_over_the_header_names():
    headers = ["Client", "Phone", "Favourite colour"]
    assert auto_map(headers, {"Client": "full_name", "Phone": "phone_home"}) == ["full_name", "phone_home", ""]


def test_unknown_columns_are_ignored():
    assert auto_map(["Shoe size", "Name"]) == ["", "full_name"]
