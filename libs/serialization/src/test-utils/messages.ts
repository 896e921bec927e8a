import 'reflect-metadata';
import { Type } from 'class-transformer';

// Message classes shared by the specs: a nested class, an array of it and a Date, all via @Type.

export class Address {
  street = '';
  city = '';

  static of(street: string, city: string): Address {
    return Object.assign(new Address(), { street, city });
  }
}

export class Person {
  name = '';
  age = 0;
  tags: string[] = [];

  @Type(() => Address)
  home?: Address;

  @Type(() => Address)
  previous: Address[] = [];

  @Type(() => Date)
  born?: Date;

  greet(): string {
    return `hi, ${this.name}`;
  }

  static sample(): Person {
    return Object.assign(new Person(), {
      name: 'Ada',
      age: 36,
      tags: ['math', 'engines'],
      home: Address.of('12 St James Sq', 'London'),
      previous: [Address.of('1 Marylebone', 'London'), Address.of('Ockham Park', 'Surrey')],
      born: new Date('1815-12-10T00:00:00.000Z'),
    });
  }
}

export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
