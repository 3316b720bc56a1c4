import type { Random } from './random.js';

/**
 * Invented buyers and addresses that look like real ones for a country (names with accents, real
 * city/region pairs, plausible postal codes) while belonging to nobody: street numbers, postal
 * suffixes and phone numbers are random, and phone numbers use ranges reserved for fiction where a
 * country has one. Real-looking data makes the product's PII handling (encryption, redaction) testable.
 */
export type FakeAddress = Readonly<{
  streetName: string;
  streetNumber: string;
  line1: string;
  line2?: string;
  city: string;
  stateOrRegion: string;
  postalCode: string;
  countryCode: string;
  neighborhood?: string;
}>;

export type FakePerson = Readonly<{ firstName: string; lastName: string; name: string; phone: string; address: FakeAddress }>;

type City = readonly [city: string, region: string, postalPattern: string];
type Locale = Readonly<{
  first: readonly string[];
  last: readonly string[];
  streets: readonly string[];
  cities: readonly City[];
  /** `#` digit, `A` letter. */
  phone: string;
  /** How a street line is written: number first (US/GB) or after the street (continental Europe). */
  numberFirst: boolean;
  unit?: readonly string[];
  familyNameFirst?: boolean;
}>;

const LOCALES: Readonly<Record<string, Locale>> = {
  US: {
    first: ['Emily', 'James', 'Olivia', 'Michael', 'Sophia', 'Daniel', 'Ava', 'Matthew', 'Grace', 'Ethan', 'Chloe', 'Andrew'],
    last: ['Johnson', 'Miller', 'Garcia', 'Thompson', 'Walker', 'Nguyen', 'Patel', 'Robinson', 'Carter', 'Brooks', 'Reyes', 'Hughes'],
    streets: ['Maple Street', 'Oak Avenue', 'Cedar Lane', 'Pine Ridge Road', 'Lakeview Drive', 'Hillcrest Court', 'Elm Street'],
    cities: [
      ['Seattle', 'WA', '981##'], ['Austin', 'TX', '787##'], ['Columbus', 'OH', '432##'], ['Denver', 'CO', '802##'],
      ['Raleigh', 'NC', '276##'], ['Tampa', 'FL', '336##'], ['Portland', 'OR', '972##'], ['Madison', 'WI', '537##'],
    ],
    phone: '3##55501##', // 555-0100..0199 is reserved for fiction
    numberFirst: true,
    unit: ['Apt 2B', 'Unit 14', 'Suite 300', 'Apt 7'],
  },
  CA: {
    first: ['Liam', 'Charlotte', 'Noah', 'Amélie', 'Lucas', 'Maya', 'Benjamin', 'Léa'],
    last: ['Tremblay', 'Martin', 'Roy', 'MacDonald', 'Wilson', 'Gagnon', 'Campbell', 'Chen'],
    streets: ['King Street West', 'Rue Saint-Denis', 'Maple Crescent', 'Bay Street', 'Birch Avenue'],
    cities: [['Toronto', 'ON', 'M5V #A#'], ['Montréal', 'QC', 'H2X #A#'], ['Calgary', 'AB', 'T2P #A#'], ['Halifax', 'NS', 'B3H #A#']],
    phone: '4##55501##',
    numberFirst: true,
    unit: ['Unit 1204', 'Apt 5'],
  },
  MX: {
    first: ['Sofía', 'Santiago', 'Valentina', 'Mateo', 'Camila', 'Diego', 'Regina', 'Emiliano'],
    last: ['Hernández', 'García', 'Martínez', 'López', 'González', 'Rodríguez', 'Pérez', 'Sánchez'],
    streets: ['Avenida Insurgentes Sur', 'Calle Morelos', 'Avenida Juárez', 'Calle Hidalgo', 'Paseo de la Reforma'],
    cities: [['Ciudad de México', 'CDMX', '06###'], ['Guadalajara', 'JAL', '44###'], ['Monterrey', 'NL', '64###'], ['Puebla', 'PUE', '72###']],
    phone: '55########',
    numberFirst: false,
  },
  BR: {
    first: ['Ana', 'João', 'Beatriz', 'Pedro', 'Mariana', 'Lucas', 'Larissa', 'Gabriel'],
    last: ['Silva', 'Santos', 'Oliveira', 'Souza', 'Pereira', 'Costa', 'Almeida', 'Ferreira'],
    streets: ['Rua das Acácias', 'Avenida Brasil', 'Rua São João', 'Rua dos Ipês', 'Avenida Atlântica'],
    cities: [['São Paulo', 'SP', '01###-###'], ['Rio de Janeiro', 'RJ', '22###-###'], ['Belo Horizonte', 'MG', '30###-###'], ['Curitiba', 'PR', '80###-###']],
    phone: '+55 11 9####-####',
    numberFirst: false,
    unit: ['Apartamento 12', 'Casa 2', 'Bloco B'],
  },
  GB: {
    first: ['Oliver', 'Amelia', 'Harry', 'Isla', 'George', 'Poppy', 'Jack', 'Freya'],
    last: ['Smith', 'Jones', 'Taylor', 'Davies', 'Evans', 'Wright', 'Clarke', 'Hall'],
    streets: ['High Street', 'Station Road', 'Church Lane', 'Victoria Road', 'Park Avenue'],
    cities: [['London', 'England', 'SE1# #AA'], ['Manchester', 'England', 'M1# #AA'], ['Leeds', 'England', 'LS# #AA'], ['Bristol', 'England', 'BS# #AA'], ['Edinburgh', 'Scotland', 'EH# #AA']],
    phone: '+44 20 7946 0###', // Ofcom's range for drama
    numberFirst: true,
    unit: ['Flat 3', 'Flat 12A'],
  },
  DE: {
    first: ['Lena', 'Jonas', 'Hannah', 'Lukas', 'Mia', 'Felix', 'Lea', 'Maximilian'],
    last: ['Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Becker', 'Wagner', 'Schäfer'],
    streets: ['Hauptstraße', 'Bahnhofstraße', 'Lindenweg', 'Gartenstraße', 'Schillerstraße'],
    cities: [['Berlin', 'Berlin', '10###'], ['München', 'Bayern', '80###'], ['Hamburg', 'Hamburg', '20###'], ['Köln', 'Nordrhein-Westfalen', '50###']],
    phone: '+49 30 ########',
    numberFirst: false,
  },
  FR: {
    first: ['Camille', 'Louis', 'Chloé', 'Hugo', 'Manon', 'Arthur', 'Inès', 'Jules'],
    last: ['Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Petit', 'Durand', 'Lefèvre'],
    streets: ['Rue de la République', 'Avenue Victor Hugo', 'Rue des Lilas', 'Boulevard Voltaire', 'Rue Pasteur'],
    cities: [['Paris', 'Île-de-France', '750##'], ['Lyon', 'Auvergne-Rhône-Alpes', '6900#'], ['Marseille', "Provence-Alpes-Côte d'Azur", '130##'], ['Nantes', 'Pays de la Loire', '440##']],
    phone: '+33 6 ## ## ## ##',
    numberFirst: true,
  },
  IT: {
    first: ['Giulia', 'Francesco', 'Sofia', 'Alessandro', 'Aurora', 'Lorenzo', 'Chiara', 'Matteo'],
    last: ['Rossi', 'Russo', 'Ferrari', 'Esposito', 'Bianchi', 'Romano', 'Colombo', 'Ricci'],
    streets: ['Via Roma', 'Via Garibaldi', 'Corso Italia', 'Via Dante', 'Via Mazzini'],
    cities: [['Milano', 'MI', '201##'], ['Roma', 'RM', '001##'], ['Torino', 'TO', '101##'], ['Bologna', 'BO', '401##']],
    phone: '+39 3## ### ####',
    numberFirst: false,
  },
  ES: {
    first: ['Lucía', 'Hugo', 'Martina', 'Pablo', 'Paula', 'Álvaro', 'Carmen', 'Javier'],
    last: ['García', 'Fernández', 'González', 'Rodríguez', 'López', 'Martínez', 'Sánchez', 'Muñoz'],
    streets: ['Calle Mayor', 'Avenida de la Constitución', 'Calle del Sol', 'Paseo de Gracia', 'Calle Real'],
    cities: [['Madrid', 'Madrid', '280##'], ['Barcelona', 'Barcelona', '080##'], ['Valencia', 'Valencia', '460##'], ['Sevilla', 'Sevilla', '410##']],
    phone: '+34 6## ### ###',
    numberFirst: false,
  },
  NL: {
    first: ['Emma', 'Daan', 'Sanne', 'Bram', 'Fleur', 'Sem'],
    last: ['de Jong', 'Jansen', 'de Vries', 'van Dijk', 'Bakker', 'Visser'],
    streets: ['Kerkstraat', 'Dorpsstraat', 'Stationsweg', 'Molenweg'],
    cities: [['Amsterdam', 'Noord-Holland', '10## AA'], ['Utrecht', 'Utrecht', '35## AA'], ['Rotterdam', 'Zuid-Holland', '30## AA']],
    phone: '+31 6 ########',
    numberFirst: false,
  },
  SE: {
    first: ['Alice', 'William', 'Maja', 'Elias', 'Ebba', 'Oscar'],
    last: ['Andersson', 'Johansson', 'Karlsson', 'Nilsson', 'Eriksson', 'Larsson'],
    streets: ['Storgatan', 'Drottninggatan', 'Kungsgatan', 'Skolvägen'],
    cities: [['Stockholm', 'Stockholm', '11# ##'], ['Göteborg', 'Västra Götaland', '41# ##'], ['Malmö', 'Skåne', '21# ##']],
    phone: '+46 70 ### ## ##',
    numberFirst: false,
  },
  PL: {
    first: ['Zuzanna', 'Jakub', 'Julia', 'Antoni', 'Maja', 'Szymon'],
    last: ['Nowak', 'Kowalski', 'Wiśniewski', 'Wójcik', 'Kamińska', 'Lewandowski'],
    streets: ['ul. Marszałkowska', 'ul. Długa', 'ul. Polna', 'ul. Lipowa'],
    cities: [['Warszawa', 'mazowieckie', '00-###'], ['Kraków', 'małopolskie', '30-###'], ['Gdańsk', 'pomorskie', '80-###']],
    phone: '+48 5## ### ###',
    numberFirst: false,
  },
  JP: {
    first: ['花子', '太郎', '陽菜', '蓮', 'さくら', '悠真'],
    last: ['佐藤', '鈴木', '高橋', '田中', '渡辺', '伊藤'],
    streets: ['Jingumae', 'Nishishinjuku', 'Umeda', 'Sakae'],
    cities: [['Shibuya-ku', 'Tokyo', '150-####'], ['Shinjuku-ku', 'Tokyo', '160-####'], ['Osaka-shi Kita-ku', 'Osaka', '530-####'], ['Nagoya-shi Naka-ku', 'Aichi', '460-####']],
    phone: '+81 3-####-####',
    numberFirst: false,
    familyNameFirst: true,
  },
  AU: {
    first: ['Charlotte', 'Jack', 'Ruby', 'Thomas', 'Matilda', 'Henry'],
    last: ['Smith', 'Brown', 'Wilson', 'Kelly', "O'Brien", 'Murphy'],
    streets: ['George Street', 'Beach Road', 'Bridge Road', 'Station Street'],
    cities: [['Sydney', 'NSW', '2###'], ['Melbourne', 'VIC', '3###'], ['Brisbane', 'QLD', '4###']],
    phone: '+61 4## ### ###',
    numberFirst: true,
    unit: ['Unit 4', 'Level 2'],
  },
};

const LETTERS = 'ABDEFGHJLNPQRSTUWXYZ';

const fillPattern = (random: Random, pattern: string): string =>
  pattern.replace(/[#A]/g, (token) => (token === '#' ? String(random.int(0, 9)) : LETTERS.charAt(random.int(0, LETTERS.length - 1))));

/** Countries without a locale table get English-looking data with their own country code. */
const localeFor = (countryCode: string): Locale => LOCALES[countryCode] ?? (LOCALES.GB as Locale);

export const fakePerson = (random: Random, countryCode: string): FakePerson => {
  const locale = localeFor(countryCode);
  const firstName = random.pick(locale.first);
  const lastName = random.pick(locale.last);
  const [city, stateOrRegion, postal] = random.pick(locale.cities);
  const streetName = random.pick(locale.streets);
  const streetNumber = String(random.int(1, random.bool(0.7) ? 250 : 4800));
  const line2 = locale.unit !== undefined && random.bool(0.25) ? random.pick(locale.unit) : undefined;
  return {
    firstName,
    lastName,
    name: locale.familyNameFirst === true ? `${lastName} ${firstName}` : `${firstName} ${lastName}`,
    phone: fillPattern(random, locale.phone),
    address: {
      streetName,
      streetNumber,
      line1: locale.numberFirst ? `${streetNumber} ${streetName}` : `${streetName}, ${streetNumber}`,
      ...(line2 !== undefined ? { line2 } : {}),
      city,
      stateOrRegion,
      postalCode: fillPattern(random, postal),
      countryCode,
      ...(countryCode === 'BR' ? { neighborhood: random.pick(['Centro', 'Jardim América', 'Vila Nova', 'Boa Vista']) } : {}),
    },
  };
};
