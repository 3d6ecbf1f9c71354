"""Country names as ACLED and the Global Terrorism Database write them (their published lists of
country names; no event data), for the country tests."""

ACLED = """Afghanistan|Akrotiri and Dhekelia|Albania|Algeria|American Samoa|Andorra|Angola|Anguilla|
Antigua and Barbuda|Argentina|Armenia|Aruba|Australia|Austria|Azerbaijan|Bahamas|Bahrain|
Bailiwick of Guernsey|Bailiwick of Jersey|Bangladesh|Barbados|Belarus|Belgium|Belize|Benin|
Bermuda|Bhutan|Bolivia|Bosnia and Herzegovina|Botswana|Brazil|British Indian Ocean Territory|
British Virgin Islands|Brunei|Bulgaria|Burkina Faso|Burundi|Cambodia|Cameroon|Canada|
Cape Verde|Caribbean Netherlands|Cayman Islands|Central African Republic|Chad|Chile|China|
Christmas Island|Cocos (Keeling) Islands|Colombia|Comoros|Cook Islands|Costa Rica|Croatia|Cuba|
Curacao|Cyprus|Czech Republic|Democratic Republic of Congo|Denmark|Djibouti|Dominica|
Dominican Republic|East Timor|Ecuador|Egypt|El Salvador|Equatorial Guinea|Eritrea|Estonia|
eSwatini|Ethiopia|Falkland Islands|Faroe Islands|Fiji|Finland|France|French Guiana|
French Polynesia|Gabon|Gambia|Georgia|Germany|Ghana|Gibraltar|Greece|Greenland|Grenada|
Guadeloupe|Guam|Guatemala|Guinea|Guinea-Bissau|Guyana|Haiti|Honduras|Hungary|Iceland|India|
Indonesia|Iran|Iraq|Ireland|Isle of Man|Israel|Italy|Ivory Coast|Jamaica|Japan|Jordan|
Kazakhstan|Kenya|Kiribati|Kosovo|Kuwait|Kyrgyzstan|Laos|Latvia|Lebanon|Lesotho|Liberia|Libya|
Liechtenstein|Lithuania|Luxembourg|Madagascar|Malawi|Malaysia|Maldives|Mali|Malta|
Marshall Islands|Martinique|Mauritania|Mauritius|Mayotte|Mexico|Micronesia|Moldova|Monaco|
Mongolia|Montenegro|Montserrat|Morocco|Mozambique|Myanmar|Namibia|Nauru|Nepal|Netherlands|
New Caledonia|New Zealand|Nicaragua|Niger|Nigeria|Niue|Norfolk Island|North Korea|
North Macedonia|Northern Mariana Islands|Norway|Oman|Pakistan|Palau|Palestine|Panama|
Papua New Guinea|Paraguay|Peru|Philippines|Pitcairn|Poland|Portugal|Puerto Rico|Qatar|
Republic of Congo|Reunion|Romania|Russia|Rwanda|Saint Helena, Ascension and Tristan da Cunha|
Saint Kitts and Nevis|Saint Lucia|Saint Pierre and Miquelon|Saint Vincent and the Grenadines|
Saint-Barthelemy|Saint-Martin|Samoa|San Marino|Sao Tome and Principe|Saudi Arabia|Senegal|
Serbia|Seychelles|Sierra Leone|Singapore|Sint Maarten|Slovakia|Slovenia|Solomon Islands|
Somalia|South Africa|South Georgia and the South Sandwich Islands|South Korea|South Sudan|
Spain|Sri Lanka|Sudan|Suriname|Sweden|Switzerland|Syria|Taiwan|Tajikistan|Tanzania|Thailand|
Togo|Tokelau|Tonga|Trinidad and Tobago|Tunisia|Turkey|Turkmenistan|Turks and Caicos Islands|
Tuvalu|Uganda|Ukraine|United Arab Emirates|United Kingdom|United States|Uruguay|Uzbekistan|
Vanuatu|Vatican City|Venezuela|Vietnam|Virgin Islands, U.S.|Wallis and Futuna|Yemen|Zambia|
Zimbabwe"""

GTD = """Afghanistan|Albania|Algeria|Andorra|Angola|Antigua and Barbuda|Argentina|Armenia|
Australia|Austria|Azerbaijan|Bahamas|Bahrain|Bangladesh|Barbados|Belarus|Belgium|Belize|Benin|
Bhutan|Bolivia|Bosnia-Herzegovina|Botswana|Brazil|Brunei|Bulgaria|Burkina Faso|Burundi|
Cambodia|Cameroon|Canada|Central African Republic|Chad|Chile|China|Colombia|Comoros|
Costa Rica|Croatia|Cuba|Cyprus|Czech Republic|Democratic Republic of the Congo|Denmark|
Djibouti|Dominica|Dominican Republic|East Timor|Ecuador|Egypt|El Salvador|Equatorial Guinea|
Eritrea|Estonia|Ethiopia|Falkland Islands|Fiji|Finland|France|French Guiana|French Polynesia|
Gabon|Gambia|Georgia|Germany|Ghana|Greece|Grenada|Guadeloupe|Guatemala|Guinea|Guinea-Bissau|
Guyana|Haiti|Honduras|Hong Kong|Hungary|Iceland|India|Indonesia|Iran|Iraq|Ireland|Israel|Italy|
Ivory Coast|Jamaica|Japan|Jordan|Kazakhstan|Kenya|Kosovo|Kuwait|Kyrgyzstan|Laos|Latvia|
Lebanon|Lesotho|Liberia|Libya|Lithuania|Luxembourg|Macau|Macedonia|Madagascar|Malawi|
Malaysia|Maldives|Mali|Malta|Martinique|Mauritania|Mauritius|Mexico|Moldova|Montenegro|
Morocco|Mozambique|Myanmar|Namibia|Nepal|Netherlands|New Caledonia|New Zealand|Nicaragua|
Niger|Nigeria|North Korea|Norway|Pakistan|Panama|Papua New Guinea|Paraguay|
People's Republic of the Congo|Peru|Philippines|Poland|Portugal|Qatar|Republic of the Congo|
Romania|Russia|Rwanda|Saudi Arabia|Senegal|Serbia|Seychelles|Sierra Leone|Singapore|
Slovak Republic|Slovenia|Solomon Islands|Somalia|South Africa|South Korea|South Sudan|Spain|
Sri Lanka|St. Kitts and Nevis|St. Lucia|Sudan|Suriname|Swaziland|Sweden|Switzerland|Syria|
Taiwan|Tajikistan|Tanzania|Thailand|Togo|Trinidad and Tobago|Tunisia|Turkey|Turkmenistan|
Uganda|Ukraine|United Arab Emirates|United Kingdom|United States|Uruguay|Uzbekistan|Vanuatu|
Vatican City|Venezuela|Vietnam|Wallis and Futuna|West Bank and Gaza Strip|Western Sahara|
Yemen|Zaire|Zambia|Zimbabwe"""


def names(text: str) -> list[str]:
    return [n.strip() for n in text.replace("\n", "").split("|")]
